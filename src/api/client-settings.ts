// One account's client settings, for the API (`homepost client settings`, the setup page) and the
// Apple profile download: the server's endpoints as the running daemon listens (its host name and
// actual ports), or, offline, the stored host name and the standard ports.
import os from 'node:os';
import { ApiError, type ApiContext } from './method.ts';
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

// The account's normal address; not-found when there is no such account.
function accountAddress(ctx: ApiContext, address: string): string {
  const account = ctx.store.accounts.get(address);
  if (!account) throw new ApiError('not-found', `no account ${address.slice(0, 320)}`);
  return account.address;
}

export function clientSettings(ctx: ApiContext, address: string): ClientSettings {
  const a = accountAddress(ctx, address);
  return { address: a, username: a, password: 'the account password', ...endpointsOf(ctx) };
}

export interface Download {
  filename: string;
  contentType: string;
  content: string;
}

export function accountMobileconfig(ctx: ApiContext, address: string): Download {
  const a = accountAddress(ctx, address);
  const content = mobileconfig(a, endpointsOf(ctx));
  if (content === null) throw new ApiError('not-found', 'no IMAP or submission port is listening');
  return { filename: mobileconfigFilename(a), contentType: MOBILECONFIG_TYPE, content };
}

// "IMAP  993  TLS" lines for people.
export function describeEndpoint(e: Endpoint): string[] {
  return [e.protocol.toUpperCase(), String(e.port), e.security === 'tls' ? 'TLS (SSL)' : 'STARTTLS'];
}
