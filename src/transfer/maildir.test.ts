// Maildir++ folder names and message flags as Dovecot reads them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flagsOfName, infoOf, KeywordLetters, mailboxOfFolder, maildirFolder, parseUidlist, uidlistText } from './maildir.ts';

test('folder names: levels by ".", modified UTF-7, a "." in a name kept', () => {
  const cases: [string, string][] = [
    ['INBOX', ''],
    ['Work/Projects', '.Work.Projects'],
    ['Grüße', '.Gr&APwA3w-e'],
    ['Receipts.2026', '.Receipts&AC4-2026'],
    ['a&b', '.a&-b'],
  ];
  for (const [name, folder] of cases) {
    assert.equal(maildirFolder(name), folder, name);
    assert.equal(mailboxOfFolder(folder), name, folder);
  }
  for (const bad of ['cur', '.', '..', '.a..b', '.&AGE-']) assert.equal(mailboxOfFolder(bad), null, bad);
});

test('flags: info letters sorted, keywords as letters through dovecot-keywords, 26 at most', () => {
  const k = new KeywordLetters();
  assert.equal(infoOf(['\\Seen', '\\Answered', '$Label1', '\\Flagged', 'Work', '\\Recent'], k), 'FRSab');
  assert.equal(k.fileText(), '0 $Label1\n1 Work\n');
  const names = KeywordLetters.parse(k.fileText());
  assert.deepEqual(flagsOfName('123.M1P2.host:2,FRSab', names).sort(), ['$Label1', 'Work', '\\Answered', '\\Flagged', '\\Seen'].sort());
  assert.deepEqual(flagsOfName('123.M1P2.host', names), []);
  assert.deepEqual(flagsOfName('123.M1P2.host:2,DTz', names), ['\\Draft', '\\Deleted']);
  for (let i = 2; i < 26; i++) k.letterOf(`k${i}`);
  assert.equal(infoOf(['one-too-many'], k), '');
  assert.deepEqual([...k.dropped], ['one-too-many']);
});

test('dovecot-uidlist: written and read back', () => {
  const text = uidlistText(1234, 9, [
    { uid: 3, base: '1.M3P1.homepost' },
    { uid: 8, base: '2.M8P1.homepost' },
  ]);
  assert.equal(text, '3 V1234 N9\n3 :1.M3P1.homepost\n8 :2.M8P1.homepost\n');
  assert.deepEqual(
    [...parseUidlist(text)],
    [
      ['1.M3P1.homepost', 3],
      ['2.M8P1.homepost', 8],
    ],
  );
});
