// Every command, by name (RFC 9051 6). A test checks this table against the per-state command
// lists of RFC 9051.
import type { CommandSpec } from '../command.ts';
import { append } from './append.ts';
import { authenticateCommand, login, starttls } from './auth.ts';
import { capability, check, id, logout, noop } from './any.ts';
import { copy, move, uidCopy, uidMove } from './copy-move.ts';
import { compress, enable } from './enable.ts';
import { expunge, uidExpunge } from './expunge.ts';
import { fetch, uidFetch } from './fetch.ts';
import { idle } from './idle.ts';
import { list, lsub } from './list.ts';
import { create, deleteCommand, rename, subscribe, unsubscribe } from './mailbox.ts';
import { getquota, getquotaroot, namespace, setquota } from './namespace-quota.ts';
import { search, uidSearch } from './search.ts';
import { close, examine, select, unselect } from './select.ts';
import { sort, uidSort } from './sort.ts';
import { status } from './status.ts';
import { store, uidStore } from './store.ts';
import { thread, uidThread } from './thread.ts';

const all: CommandSpec[] = [
  capability,
  noop,
  logout,
  id,
  starttls,
  authenticateCommand,
  login,
  enable,
  compress,
  select,
  examine,
  create,
  deleteCommand,
  rename,
  subscribe,
  unsubscribe,
  list,
  lsub,
  namespace,
  status,
  append,
  idle,
  getquota,
  getquotaroot,
  setquota,
  check,
  close,
  unselect,
  expunge,
  uidExpunge,
  search,
  uidSearch,
  sort,
  uidSort,
  thread,
  uidThread,
  fetch,
  uidFetch,
  store,
  uidStore,
  copy,
  uidCopy,
  move,
  uidMove,
];

export const commandTable = new Map<string, CommandSpec>(all.flatMap((c) => c.names.map((n) => [n, c as CommandSpec])));
