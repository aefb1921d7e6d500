/**
 * The security audit of the running configuration.
 */
import { cachedAuditReport } from '../security/run.js';
import { method, NO_PARAMS } from './registry.js';

/** `{summary, findings}` of `mayros security audit` for the config this gateway runs. */
export const securityAudit = method({ name: 'security.audit', scope: 'operator.admin', params: NO_PARAMS, handler: (ctx) => cachedAuditReport(ctx.gateway.generation.resolved) });
