/**
 * Editing the config file from the console: read it with secrets masked, patch it with conflict
 * detection, the startup checks and an atomic write that keeps comments. See docs/configuration.md
 * ("Editing from the console").
 */
export { readConfigForEdit, type ConfigForEdit, type ReadOutcome } from './read.js';
export { patchConfigFile, type PatchApplied, type PatchOptions, type PatchOutcome, type PatchRequest, type WriteFormat } from './patch.js';
export { SECRET_PLACEHOLDER, maskSecrets } from './placeholder.js';
export { CONFIG_EDIT_CODES, type ConfigEditCode, type ConfigEditCodeInfo, type ConfigEditRefusal } from './refusals.js';
export type { ConfigChange } from './changes.js';
export type { FileFormat } from './format.js';
export type { MaskedText } from './masked-text.js';
