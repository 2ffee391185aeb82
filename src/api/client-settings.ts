// One account's client settings, for the API (`homepost client settings`, the setup page) and the
// Apple profile download: the server's endpoints as the running daemon listens (its host name and
// actual ports), or, offline, the stored host name and the standard ports.
import os from 'node:os';
import { ApiError, type ApiContext, requireAccount } from './method.ts';
import { serverHostname } from '../settings/hostname.ts';
import { listenerPorts, productionPorts, serverEndpoints, type Endpoint, type ServerEndpoints } from '../autoconfig/endpoints.ts';
import { MOBILECONFIG_TYPE, mobileconfig, mobileconfigFilename } from '../autoconfig/mobileconfig.ts';

export function endpointsOf(ctx: ApiContext): ServerEndpoints {
  const d = ctx.daemon;
  return d
    ? serverEndpoints(d.options.hostname, listenerPorts(d.listeners))
    : serverEndpoints(serverHostname(ctx.store.settings, os.hostname()), productionPorts);
}

export interface ClientSettings extends ServerEndpoints {
  address: string;
  // What a person types as the user name: the full address, for every protocol.
  username: string;
  // How the client authenticates: the account's own password, sent inside TLS.
  password: 'the account password';
}

export function clientSettings(ctx: ApiContext, address: string): ClientSettings {
  const a = requireAccount(ctx, address).address;
  return { address: a, username: a, password: 'the account password', ...endpointsOf(ctx) };
}

export interface Download {
  filename: string;
  contentType: string;
  content: string;
}

export function accountMobileconfig(ctx: ApiContext, address: string): Download {
  const a = requireAccount(ctx, address).address;
  const content = mobileconfig(a, endpointsOf(ctx));
  if (content === null) throw new ApiError('not-found', 'no IMAP or submission port is listening');
  return { filename: mobileconfigFilename(a), contentType: MOBILECONFIG_TYPE, content };
}

// "IMAP  993  TLS" lines for people.
export function describeEndpoint(e: Endpoint): string[] {
  return [e.protocol.toUpperCase(), String(e.port), e.security === 'tls' ? 'TLS (SSL)' : 'STARTTLS'];
}
