// PLACEHOLDER for the 3D preview. The designer area is building web/src/ui/viewer/ModelViewer.tsx (props `{ url }`,
// three.js loaded lazily, orbit + auto-rotate) and GET /designs/{designId}/preview; when both are merged, replace the
// `preview-box` element below with `<ModelViewer url={apiUrl(`/designs/${designId}/preview`)} />` (one line).
import { Card } from '../ui/kit';

export interface PrintabilityFacts {
  size?: [number, number, number];
  volumeMm3?: number;
  massGrams?: Record<string, number>;
  triangleCount?: number;
}

export function DesignPreview({ designId, facts }: { designId: string; facts: PrintabilityFacts }) {
  return (
    <Card title="3D preview">
      <div className="preview-box" role="img" aria-label={`3D preview of design ${designId} (coming soon)`} data-design-id={designId}>
        <span>3D preview</span>
      </div>
      <dl className="facts">
        {facts.size && (
          <>
            <dt>Size</dt>
            <dd>{facts.size.map((n) => n.toFixed(1)).join(' × ')} mm</dd>
          </>
        )}
        {facts.volumeMm3 !== undefined && (
          <>
            <dt>Volume</dt>
            <dd>{(facts.volumeMm3 / 1000).toFixed(1)} cm³</dd>
          </>
        )}
        {facts.massGrams?.PLA !== undefined && (
          <>
            <dt>Weight in PLA</dt>
            <dd>{Math.round(facts.massGrams.PLA)} g</dd>
          </>
        )}
        {facts.triangleCount !== undefined && (
          <>
            <dt>Triangles</dt>
            <dd>{facts.triangleCount.toLocaleString()}</dd>
          </>
        )}
      </dl>
    </Card>
  );
}
