/**
 * Every WebSocket method the gateway answers: add a family's declarations here.
 */
import { securityAudit } from './audit.js';
import { logsTail } from './logs.js';
import { chatAbort, chatHistory, chatSend } from './chat.js';
import { whoami } from './identity.js';
import { modelsList } from './models.js';
import { presenceList } from './presence.js';
import { MethodRegistry } from './registry.js';
import { sessionsCreate, sessionsDelete, sessionsList, sessionsRename } from './sessions.js';
import { health, status } from './status.js';

export const METHODS = new MethodRegistry([
  health,
  status,
  whoami,
  presenceList,
  securityAudit,
  logsTail,
  chatSend,
  chatAbort,
  chatHistory,
  sessionsList,
  sessionsCreate,
  sessionsRename,
  sessionsDelete,
  modelsList,
]);
