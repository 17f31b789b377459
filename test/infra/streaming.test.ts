import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type Route } from '../../lib/routes.js';
import { type Synthesized, synthGateway } from './synth.js';

/**
 * Until the route table has a streaming route, this proves the mechanism on a synthetic one: a
 * streaming route added to ROUTES gets exactly this. It reuses an existing handler module (the
 * first route's), because the stack refuses routes whose module does not exist.
 */
const probe: Route = {
  ...ROUTES[0]!,
  method: 'POST',
  path: '/v1/stream-probe',
  access: 'invoke',
  streams: true,
  writes: [],
};

let s: Synthesized;
beforeAll(() => {
  s = synthGateway({
    routes: [...ROUTES, probe],
    streamingTimeout: Duration.minutes(5),
    manageApiGatewayLoggingRole: false,
  });
}, 300_000);

describe('a streaming route', () => {
  it('integrates with STREAM transfer, the response-streaming invoke path and the streaming timeout', () => {
    const method = s.model.methods().find((m) => m.key === 'POST /v1/stream-probe');
    expect(method).toBeDefined();
    expect(method!.props.Integration).toMatchObject({
      Type: 'AWS_PROXY',
      ResponseTransferMode: 'STREAM',
      TimeoutInMillis: 300_000,
    });
    expect(JSON.stringify((method!.props.Integration as { Uri: unknown }).Uri)).toContain(
      '/2021-11-15/functions/',
    );
    expect(method!.props.AuthorizationType).toBe('CUSTOM');
  });

  it('runs on a function whose timeout matches the integration', () => {
    const method = s.model.methods().find((m) => m.key === 'POST /v1/stream-probe')!;
    const fn = s.model.functionOfMethod(method.props);
    expect(s.model.resources[fn]?.Properties.Timeout).toBe(300);
  });

  it('leaves buffered routes buffered', () => {
    s.template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: ROUTES.find((r) => !r.streams)!.method,
      Integration: Match.objectLike({ ResponseTransferMode: Match.absent() }),
    });
  });
});

describe('stack props', () => {
  it('leaves the region’s API Gateway logging role alone when asked to', () => {
    s.template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(s.model.ofType('AWS::IAM::Role').some(([id]) => id.includes('CloudWatchRole'))).toBe(false);
  });

  it('refuses a streaming timeout beyond 15 minutes', () => {
    expect(() => synthGateway({ streamingTimeout: Duration.minutes(20) })).toThrow(/15 minutes/);
  });
});
