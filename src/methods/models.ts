/**
 * The model servers chat can use: each provider, whether it answers, and its models.
 */
import { method, NO_PARAMS } from './registry.js';

export const modelsList = method({
  name: 'models.list',
  scope: 'operator.read',
  params: NO_PARAMS,
  handler: (ctx) => ctx.gateway.chat.listModels(),
});
