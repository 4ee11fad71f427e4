// The public design page's 3D preview: the coarse preview mesh the platform made at ingest (never the design itself),
// drawn by the shared ModelViewer (orbit, auto-rotate, keyboard), with the printability facts beside it.
import { apiUrl } from '../api/client';
import { Card } from '../ui/kit';
import { ModelViewer, NoPreview } from '../ui/viewer/ModelViewer';

export interface PrintabilityFacts {
  size?: [number, number, number];
  volumeMm3?: number;
  massGrams?: Record<string, number>;
  triangleCount?: number;
}

export function DesignPreview({ designId, title, hasPreview, facts }: { designId: string; title: string; hasPreview: boolean; facts: PrintabilityFacts }) {
  return (
    <Card title="3D preview">
      {hasPreview ? <ModelViewer url={apiUrl(`/designs/${encodeURIComponent(designId)}/preview`)} label={`3D preview of ${title}`} /> : <NoPreview />}
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
