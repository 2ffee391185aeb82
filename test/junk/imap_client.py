# What the junk tests do over IMAP, with Python's imaplib: one command a run, JSON on stdout.
#   list PORT USER PASSWORD MAILBOX            -> [{uid, subject, flags, junk}] (junk: X-Homepost-Junk)
#   move PORT USER PASSWORD FROM TO SUBJECT    -> MOVE (RFC 6851) of FROM's messages whose Subject
#                                                 holds SUBJECT to TO; prints how many moved
import imaplib
import json
import re
import sys


def connect(port, user, password):
    imap = imaplib.IMAP4('127.0.0.1', int(port))
    imap.login(user, password)
    return imap


def header(block, name):
    m = re.search(rb'(?im)^' + name.encode() + rb':[ \t]*((?:[^\r\n]*)(?:\r\n[ \t][^\r\n]*)*)', block)
    return m.group(1).decode('ascii').replace('\r\n', '') if m else None


def list_mailbox(imap, mailbox):
    typ, _ = imap.select(mailbox, readonly=True)
    assert typ == 'OK', mailbox
    typ, data = imap.uid('FETCH', '1:*', '(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT X-HOMEPOST-JUNK)])')
    out = []
    for item in data:
        if not isinstance(item, tuple):
            continue
        meta, block = item
        uid = int(re.search(rb'UID (\d+)', meta).group(1))
        flags = re.search(rb'FLAGS \(([^)]*)\)', meta).group(1).decode().split()
        out.append({'uid': uid, 'subject': header(block, 'Subject'), 'flags': flags, 'junk': header(block, 'X-Homepost-Junk')})
    return out


def move(imap, source, target, subject):
    typ, _ = imap.select(source)
    assert typ == 'OK', source
    typ, data = imap.uid('SEARCH', 'SUBJECT', '"%s"' % subject)
    uids = data[0].split()
    if uids:
        typ, data = imap.uid('MOVE', b','.join(uids).decode(), target)
        assert typ == 'OK', data
    return len(uids)


def main():
    command, port, user, password = sys.argv[1:5]
    imap = connect(port, user, password)
    try:
        if command == 'list':
            print(json.dumps(list_mailbox(imap, sys.argv[5])))
        elif command == 'move':
            print(json.dumps(move(imap, sys.argv[5], sys.argv[6], sys.argv[7])))
        else:
            raise SystemExit('unknown command ' + command)
    finally:
        imap.logout()


main()
