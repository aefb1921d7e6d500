/**
 * Audit checks of the `models` section: an API key written inline in a config file that other
 * users can read, and a model server reached over plain http on another machine (the prompts,
 * answers and key cross the network in clear). Pure.
 */
import type { Config } from '../config/schema.js';
import { isLoopbackName } from '../net/host-name.js';
import { finding, type Finding } from './findings.js';

export interface ModelFacts {
  /** The config file's path, for messages. */
  file?: string;
  /** The config file's permission bits (`stat.mode & 0o777`), when known. */
  fileMode?: number;
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

export function checkModelKeyReadable(config: Config, facts: ModelFacts): Finding[] {
  const providers = Object.entries(config.models?.providers ?? {}).filter(([, p]) => typeof p.apiKey === 'string');
  if (!providers.length || facts.fileMode === undefined || (facts.fileMode & 0o044) === 0) return [];
  const paths = providers.map(([name]) => `models.providers.${name}.apiKey`);
  const who = facts.fileMode & 0o004 ? 'every user of this machine' : 'its group';
  const file = facts.file ?? 'the config file';
  return [
    finding(
      'gateway.models_api_key_readable',
      'warn',
      'A model API key is written in a config file others can read',
      `${paths.join(' and ')} ${paths.length > 1 ? 'are' : 'is'} written inline in ${file}, whose mode ${octal(facts.fileMode)} lets ${who} read ${paths.length > 1 ? 'them' : 'it'}.`,
      `Replace each with apiKey: { env: "NAME" } and set NAME in the gateway's environment (e.g. a systemd EnvironmentFile readable only by the gateway's user); or at least \`chmod 600 ${file}\`.`,
    ),
  ];
}

export function checkModelPlainHttp(config: Config): Finding[] {
  const remote = Object.entries(config.models?.providers ?? {}).filter(([, p]) => {
    const url = new URL(p.baseUrl);
    return url.protocol === 'http:' && !isLoopbackName(url.hostname.replace(/^\[|\]$/g, '').toLowerCase());
  });
  if (!remote.length) return [];
  return [
    finding(
      'gateway.models_plain_http_remote',
      'warn',
      'A model server is reached over plain http on another machine',
      `${remote.map(([name, p]) => `models.providers.${name}.baseUrl (${p.baseUrl})`).join(', ')}: every prompt, answer${remote.some(([, p]) => p.apiKey !== undefined) ? ' and the API key' : ''} crosses the network unencrypted, readable and changeable on the way.`,
      'Use https:// (put a TLS proxy in front of the model server if it has none), or run the model server on this machine and use a loopback address (127.0.0.1).',
    ),
  ];
}
