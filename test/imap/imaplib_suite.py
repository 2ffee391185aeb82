"""Python's imaplib (a client nobody here wrote) against homepost, plus raw-socket checks where
imaplib is too lenient to notice a wrong answer. Usage: imaplib_suite.py PORT TLSPORT USER PASSWORD.
Prints one line per check; exits non-zero on the first failure."""
import base64
import imaplib
import re
import socket
import ssl
import sys
import time

port, tls_port, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
checks = 0


def check(name, cond, detail=''):
    global checks
    if not cond:
        print(f'FAIL {name}: {detail}', flush=True)
        sys.exit(1)
    checks += 1
    print(f'ok {name}', flush=True)


def ok(resp):
    typ, data = resp
    assert typ == 'OK', resp
    return data


MSG = (b'From: Alice <alice@example.org>\r\nTo: dev@example.test\r\nSubject: imaplib \xc3\xa9\r\n'
       b'Date: Thu, 26 Nov 2026 07:00:00 +0000\r\nMessage-ID: <py1@example.org>\r\nMIME-Version: 1.0\r\n'
       b'Content-Type: text/plain; charset=utf-8\r\n\r\nHello from Python.\r\n')

# --- STARTTLS, LOGIN, CAPABILITY ---
m = imaplib.IMAP4('127.0.0.1', port)
check('greeting capabilities', 'IMAP4REV1' in m.capabilities and 'STARTTLS' in m.capabilities, m.capabilities)
m.starttls(ssl_context=ctx)
check('starttls', 'AUTH=PLAIN' in m.capabilities, m.capabilities)
typ, data = m.login(user, password)
check('login', typ == 'OK')
caps = ok(m.capability())[0].decode()
for cap in ['IMAP4rev2', 'UIDPLUS', 'MOVE', 'IDLE', 'CONDSTORE', 'QRESYNC', 'ESEARCH', 'SPECIAL-USE', 'COMPRESS=DEFLATE', 'QUOTA', 'SORT', 'THREAD=REFERENCES']:
    check(f'capability {cap}', cap in caps, caps)

# --- mailboxes ---
ok(m.create('Py/Sub'))
names = [l.decode() for l in ok(m.list())]
check('list has created mailboxes', any(l.endswith(' Py/Sub') for l in names) and any('\\Sent' in l for l in names), names)
ok(m.rename('Py/Sub', 'Py/Renamed'))
ok(m.subscribe('Py/Renamed'))
check('lsub', any(b'Py/Renamed' in l for l in ok(m.lsub())))
check('status', b'MESSAGES 0' in ok(m.status('Py/Renamed', '(MESSAGES UIDNEXT)'))[0])
check('namespace', ok(m.namespace())[0] == b'(("" "/")) NIL NIL')

# --- APPEND, SELECT, FETCH ---
typ, data = m.append('INBOX', '(\\Flagged)', imaplib.Time2Internaldate(time.time()), MSG)
check('append APPENDUID', typ == 'OK' and b'APPENDUID' in data[0], data)
typ, data = m.select('INBOX')
check('select', typ == 'OK' and data[0] == b'1', data)
check('select untagged UIDVALIDITY', m.untagged_responses.get('UIDVALIDITY') is not None)
typ, data = m.fetch('1', '(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODYSTRUCTURE)')
head = data[0][0].decode()
check('fetch items', 'UID 1' in head and 'RFC822.SIZE %d' % len(MSG) in head and '\\Flagged' in head, head)
check('fetch header field', data[0][1] == b'Subject: imaplib \xc3\xa9\r\n\r\n', data[0][1])
check('bodystructure', b'("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 20 1' in data[1], data[1])
typ, data = m.fetch('1', '(RFC822)')
check('fetch RFC822 is the message', data[0][1] == MSG)
check('fetch sets \\Seen', b'\\Seen' in ok(m.fetch('1', '(FLAGS)'))[0])

# --- SEARCH, STORE, COPY, MOVE, EXPUNGE ---
check('search charset utf-8', ok(m.search('UTF-8', 'SUBJECT', '"imaplib \xe9"'.encode()))[0] == b'1')
check('uid search', ok(m.uid('SEARCH', 'FROM', 'alice'))[0] == b'1')
check('sort', ok(m.sort('(REVERSE DATE SUBJECT)', 'UTF-8', 'FROM', 'alice@example.org'))[0] == b'1')
check('uid thread', ok(m.uid('THREAD', 'REFERENCES', 'UTF-8', 'ALL'))[0] == b'(1)')
check('thread', ok(m.thread('ORDEREDSUBJECT', 'UTF-8', 'SUBJECT', 'imaplib'))[0] == b'(1)')
check('store', b'\\Deleted' in ok(m.store('1', '+FLAGS', '(\\Deleted)'))[0])
ok(m.store('1', '-FLAGS', '(\\Deleted)'))
typ, data = m.copy('1', 'Archive')
check('copy COPYUID', typ == 'OK' and b'COPYUID' in data[0], data)
typ, data = m.uid('MOVE', '1', 'Trash')
check('uid move', typ == 'OK', data)
check('move expunged the source', m.untagged_responses.get('EXPUNGE') == [b'1'], m.untagged_responses)
ok(m.select('Archive'))
ok(m.store('1', '+FLAGS.SILENT', '(\\Deleted)'))
typ, data = m.expunge()
check('expunge', data == [b'1'], data)
ok(m.close())

# --- QUOTA, AUTHENTICATE, LOGOUT ---
typ, data = m.getquotaroot('INBOX')
check('getquotaroot', typ == 'OK' and data[0] == [b'INBOX'], data)
m.logout()

m = imaplib.IMAP4_SSL('127.0.0.1', tls_port, ssl_context=ctx)
typ, _ = m.authenticate('PLAIN', lambda _: f'\0{user}\0{password}'.encode())
check('authenticate PLAIN over 993', typ == 'OK')
ok(m.enable('UTF8=ACCEPT'))
ok(m.create('Überweisung'))
check('UTF8=ACCEPT names', any('Überweisung' in l.decode() for l in ok(m.list('""', 'Ü*'))))
m.logout()

# --- names that are not modified UTF-7, empty sections, RFC 2231 parameters ---
m = imaplib.IMAP4('127.0.0.1', port)
m.starttls(ssl_context=ctx)
ok(m.login(user, password))
typ, data = m.list('""', '"&Jjo"')
check('list of a pattern that is not modified UTF-7 is an empty OK', typ == 'OK' and data == [None], (typ, data))
typ, data = m.lsub('""', '"&Jjo*"')
check('lsub of a pattern that is not modified UTF-7 is an empty OK', typ == 'OK' and data == [None], (typ, data))
typ, data = m.create('"&Jjo"')
check('create of a name that is not modified UTF-7 is NO', typ == 'NO', (typ, data))
PARTS = (b'From: alice@example.org\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n'
         b'--x\r\nContent-Type: text/plain\r\n\r\n\r\n--x\r\nContent-Type: application/pdf\r\n'
         b"Content-Disposition: attachment; filename*=utf-8''%C3%A9t%C3%A9.pdf\r\n\r\nAAEC\r\n--x--\r\n")
ok(m.create('PyParts'))
ok(m.append('PyParts', None, None, PARTS))
ok(m.select('PyParts'))
typ, data = m.fetch('1', '(BODY.PEEK[1] BODY.PEEK[2]<100.10>)')
check('empty sections come as literals', typ == 'OK' and data[0] == (b'1 (BODY[1] {0}', b'') and data[1] == (b' BODY[2]<100> {0}', b''), data)
typ, data = m.fetch('1', '(BODYSTRUCTURE)')
check('RFC 2231 value charset-encoded, 7-bit', b'("filename*" "utf-8\'\'%C3%A9t%C3%A9.pdf")' in data[0] and data[0].isascii(), data)
ok(m.close())
m.logout()

m = imaplib.IMAP4('127.0.0.1', port)
m.starttls(ssl_context=ctx)
try:
    m.login(user, 'wrong password')
    check('bad password refused', False)
except imaplib.IMAP4.error as e:
    check('bad password refused', 'AUTHENTICATIONFAILED' in str(e), str(e))
m.shutdown()


# --- raw socket checks (imaplib would accept wrong answers here) ---
class Raw:
    def __init__(self):
        self.s = socket.create_connection(('127.0.0.1', port), timeout=5)
        self.buf = b''
        self.line()

    def line(self):
        while b'\r\n' not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError(self.buf)
            self.buf += chunk
        l, self.buf = self.buf.split(b'\r\n', 1)
        return l.decode('utf-8', 'replace')

    def cmd(self, tag, text):
        self.s.sendall(f'{tag} {text}\r\n'.encode())
        out = []
        while True:
            l = self.line()
            out.append(l)
            if l.startswith(tag + ' '):
                return out


r = Raw()
# imaplib runs LOGIN on a plaintext loopback connection in development mode only; here: dev mode.
check('raw login', r.cmd('a', f'LOGIN "{user}" "{password}"')[-1].startswith('a OK'))
out = r.cmd('b', 'SELECT INBOX')
check('raw select ends with READ-WRITE', re.match(r'^b OK \[READ-WRITE\]', out[-1]) is not None, out)
check('raw EXISTS before UIDVALIDITY', out.index('* 0 EXISTS') < [i for i, l in enumerate(out) if 'UIDVALIDITY' in l][0], out)
out = r.cmd('c', 'FETCH 1 FLAGS')
check('raw fetch on empty mailbox is BAD', out[-1].startswith('c BAD'), out)
out = r.cmd('d', 'NOOP (')
check('raw malformed is BAD', out[-1].startswith('d BAD'), out)
r.s.sendall(b'e APPEND INBOX {5}\r\n')
check('raw continuation request', r.line().startswith('+ '))
r.s.sendall(b'Sub: \r\n')
out = []
while not out or not out[-1].startswith('e '):
    out.append(r.line())
check('raw append of a literal', out[-1].startswith('e OK [APPENDUID'), out)
# RFC 3502 MULTIAPPEND (imaplib sends one message per APPEND): a synchronizing literal, then LITERAL+.
one, two = b'Subject: one\r\n\r\n.\r\n', b'Subject: two\r\n\r\n.\r\n'
r.s.sendall(b'm APPEND INBOX (\\Seen) {%d}\r\n' % len(one))
check('raw multiappend continuation', r.line().startswith('+ '))
r.s.sendall(one + b' "01-Feb-2026 10:00:00 +0000" {%d+}\r\n' % len(two) + two + b'\r\n')
out = []
while not out or not out[-1].startswith('m '):
    out.append(r.line())
uidset = re.match(r'^m OK \[APPENDUID \d+ (\d+):(\d+)\] ', out[-1])
check('raw multiappend APPENDUID with a UID set', uidset is not None and int(uidset[2]) == int(uidset[1]) + 1, out)
text = '\n'.join(r.cmd('n', f'UID FETCH {uidset[1]}:{uidset[2]} (FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)])'))
check('raw multiappend stored each with its flags and date, in order',
      re.search(r'FLAGS \(\\Seen[^)]*\).*Subject: one.*INTERNALDATE "01-Feb-2026 10:00:00 \+0000".*Subject: two', text, re.S) is not None, text)
r.s.sendall(b'f IDLE\r\n')
check('raw idle continuation', r.line() == '+ idling')
r.s.sendall(b'DONE\r\n')
out = []
while not out or not out[-1].startswith('f '):
    out.append(r.line())
check('raw idle done', out[-1] == 'f OK IDLE completed', out)
out = r.cmd('g', 'LOGOUT')
check('raw logout', out == ['* BYE Logging out', 'g OK LOGOUT completed'], out)

print(f'{checks} passed, 0 failed', flush=True)
