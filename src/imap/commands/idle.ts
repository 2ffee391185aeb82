// IDLE (RFC 2177, RFC 9051 6.3.13): changes are reported as they are committed until the client
// sends DONE. The autologout timer keeps running (RFC 9051 5.4 lets an idling client be logged out
// after the timeout, 30 minutes; clients re-issue IDLE every 29 minutes).
import { STATES, type CommandSpec } from '../command.ts';
import { ImapBadSyntax } from '../errors.ts';

export const idle: CommandSpec = {
  names: ['IDLE'],
  states: STATES.authenticated,
  async run({ session }) {
    await session.send('+ idling\r\n');
    let chain = Promise.resolve();
    let queued = false;
    const report = () => {
      if (queued) return;
      queued = true;
      chain = chain.then(async () => {
        queued = false;
        await session.sync(true);
        await session.flush();
      });
    };
    report();
    session.idleWaker = report;
    let line: Buffer | null;
    try {
      line = await session.conn.readLine(session.svc.config.maxLine);
    } finally {
      session.idleWaker = null;
      await chain;
    }
    if (line === null) {
      session.logout();
      return;
    }
    if (line.toString('latin1').toUpperCase() !== 'DONE') throw new ImapBadSyntax('Expected DONE');
  },
};
