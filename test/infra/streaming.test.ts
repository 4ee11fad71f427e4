// The streaming routes in AWS: each response-streaming function gets a function URL (RESPONSE_STREAM, IAM auth), and
// the distribution a behaviour per route, before `/api/*`, to that URL through origin access control, uncached, every
// viewer header but Host passed on, the viewer's bearer token moved aside for the SigV4 signature. Synthesized without
// bundling (the template does not depend on the bundles), so it stays quick; stacks.test.ts synthesizes everything.
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { beforeAll, describe, expect, it } from 'vitest';
import { streamingPathPattern } from '../../infra/constructs/streaming-urls.js';
import { boundEnvNames, envName, functions, viewerAuthorizationHeader, type FunctionSpec } from '../../infra/platform.js';
import { buildApp, templateRoutesAndTriggers } from '../../infra/synth.js';
import { cdkOutdir } from '../support/cdk-outdir.js';

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> };
type Tpl = { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }> };
type Behaviour = { PathPattern: string; TargetOriginId: string; FunctionAssociations: unknown[] };
type Origin = { Id: string; DomainName: unknown; OriginAccessControlId: unknown };

/** A value inside template JSON by its path; undefined when the path is not there (and the assertion fails). */
const at = (o: unknown, ...path: (string | number)[]): unknown => path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], o);

const streaming = Object.entries(functions as Record<string, FunctionSpec>).filter(([, f]) => f.responseStreaming);
let templates: Record<string, Tpl>;
let waived: { rule: string; path: string }[];

const resources = (t: Tpl, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

const outdir = cdkOutdir();

beforeAll(() => {
  const { app, nag, stacks } = buildApp({
    outdir,
    context: {
      'aws:cdk:bundling-stacks': [] as unknown as string,
    },
  });
  // Synth runs cdk-nag: an unacknowledged finding throws here.
  const assembly = app.synth();
  waived = nag.waived;
  templates = Object.fromEntries(Object.values(stacks).map((s) => [s.stackName, assembly.getStackByName(s.stackName).template as Tpl]));
}, 120_000);

describe('path patterns', () => {
  it('put the route under /api with each parameter as *', () => {
    expect(streamingPathPattern('/orders/{orderId}/events')).toBe('/api/orders/*/events');
    expect(streamingPathPattern('/files/{key+}')).toBe('/api/files/*');
    expect(streamingPathPattern('/health')).toBe('/api/health');
  });
});

describe('application stack', () => {
  it('gives every streaming function a RESPONSE_STREAM function URL with IAM auth, and keeps its routes off the HTTP API', () => {
    expect(streaming.length).toBeGreaterThan(0);
    const app = templates.DpmApplication!;
    const urls = resources(app, 'AWS::Lambda::Url');
    expect(urls).toHaveLength(streaming.length);
    const routeKeys = resources(templates.DpmApi!, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    for (const [key, spec] of streaming) {
      const [fnId, fn] = resources(app, 'AWS::Lambda::Function').find(([, r]) => r.Metadata?.['dpm:function'] === key)!;
      const url = urls.find(([, u]) => at(u.Properties, 'TargetFunctionArn', 'Fn::GetAtt', 0) === fnId);
      expect(url?.[1].Properties, key).toMatchObject({ AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' });
      for (const r of spec.routes) expect(routeKeys).not.toContain(`${r.method} ${r.path}`);
      // No JWT authorizer in front: it checks tokens itself, against the pool its configuration names.
      const env = Object.keys(at(fn.Properties, 'Environment', 'Variables') as object);
      expect(env).toEqual(expect.arrayContaining([envName.userPoolIssuer, envName.userPoolClientId]));
      expect(boundEnvNames(spec.uses, true)).toEqual(expect.arrayContaining([envName.userPoolIssuer, envName.userPoolClientId]));
    }
  });
});

describe('web stack', () => {
  const distributionConfig = () => resources(templates.DpmWeb!, 'AWS::CloudFront::Distribution')[0]![1].Properties.DistributionConfig as { CacheBehaviors: Behaviour[]; Origins: Origin[] };

  it('has a behaviour per streaming route, before /api/*, to its function URL through a Lambda OAC that always signs', () => {
    const config = distributionConfig();
    const patterns = config.CacheBehaviors.map((b) => b.PathPattern);
    const exportsByName = new Map(Object.values(templates.DpmApplication!.Outputs ?? {}).map((o) => [o.Export?.Name, o.Value]));
    for (const [key, spec] of streaming) {
      for (const r of spec.routes) {
        const pattern = streamingPathPattern(r.path);
        expect(patterns.indexOf(pattern), pattern).toBeGreaterThanOrEqual(0);
        // CloudFront takes the first match: `/api/*` first would send the stream to the buffering HTTP API.
        expect(patterns.indexOf(pattern)).toBeLessThan(patterns.indexOf('/api/*'));
        const behaviour = config.CacheBehaviors.find((b) => b.PathPattern === pattern)!;
        expect(behaviour).toMatchObject({
          CachePolicyId: cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId,
          OriginRequestPolicyId: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
          ViewerProtocolPolicy: 'https-only',
          AllowedMethods: ['GET', 'HEAD'],
          Compress: false,
        });
        expect(behaviour.FunctionAssociations).toHaveLength(1);
        const origin = config.Origins.find((o) => o.Id === behaviour.TargetOriginId)!;
        const imported = at(origin.DomainName, 'Fn::Select', 1, 'Fn::Split', 1, 'Fn::ImportValue') as string;
        const [urlId, attribute] = at(exportsByName.get(imported), 'Fn::GetAtt') as [string, string];
        expect(attribute).toBe('FunctionUrl');
        expect(templates.DpmApplication!.Resources[urlId]!.Metadata?.['dpm:routes'], key).toContain(`${r.method} ${r.path}`);
        const oac = templates.DpmWeb!.Resources[at(origin.OriginAccessControlId, 'Fn::GetAtt', 0) as string]!;
        expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 'lambda', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
      }
    }
  });

  it('lets only this distribution invoke the function URLs', () => {
    const permissions = resources(templates.DpmWeb!, 'AWS::Lambda::Permission').map(([, p]) => p.Properties);
    expect(permissions.map((p) => p.Action).sort()).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl']);
    for (const p of permissions) {
      expect(p.Principal).toBe('cloudfront.amazonaws.com');
      expect(JSON.stringify(p.SourceArn)).toContain(':distribution/');
    }
    expect(permissions.find((p) => p.Action === 'lambda:InvokeFunction')?.InvokedViaFunctionUrl).toBe(true);
  });

  it('strips /api and moves the viewer bearer token out of the way of the SigV4 signature, dropping a forged copy', () => {
    const code = resources(templates.DpmWeb!, 'AWS::CloudFront::Function')
      .map(([, f]) => String(f.Properties.FunctionCode))
      .find((c) => c.includes(viewerAuthorizationHeader))!;
    type Req = { uri: string; headers: Record<string, { value: string }> };
    const run = (request: Req) => (new Function(`${code}; return handler;`)() as (e: { request: Req }) => Req)({ request });
    const signedIn = run({ uri: '/api/orders/ord_1/events', headers: { authorization: { value: 'Bearer t0k' }, [viewerAuthorizationHeader]: { value: 'Bearer forged' } } });
    expect(signedIn.uri).toBe('/orders/ord_1/events');
    expect(signedIn.headers[viewerAuthorizationHeader]).toEqual({ value: 'Bearer t0k' });
    const anonymous = run({ uri: '/api/orders/ord_1/events', headers: { [viewerAuthorizationHeader]: { value: 'Bearer forged' } } });
    expect(anonymous.headers[viewerAuthorizationHeader]).toBeUndefined();
  });
});

describe('checks', () => {
  it('passes cdk-nag with no finding waived on the streaming constructs', () => {
    expect(waived.filter((w) => /Streaming/.test(w.path))).toEqual([]);
  });

  it('counts each streaming route once among the template routes, wired end to end', () => {
    const { routes } = templateRoutesAndTriggers(templates as never);
    for (const [, spec] of streaming) for (const r of spec.routes) expect(routes.filter((k) => k === `${r.method} ${r.path}`)).toHaveLength(1);
  });
});
