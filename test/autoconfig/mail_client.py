# A mail program configured only from an autoconfig answer (Thunderbird's clientConfig 1.1 XML,
# read from a file): it sends a message through every outgoing server of the answer with
# smtplib, then reads it back through every incoming server with imaplib and poplib, each with
# the answer's host name, port, socket type and user name (%EMAILADDRESS% filled in), verifying
# the certificate against CAFILE for that host name. The one thing given besides the answer is
# where the host name resolves (like an /etc/hosts line): --resolve NAME=IP.
# Prints one JSON line: {"servers": [{"type", "port", "socketType", "username", "result"}]}.
import argparse
import imaplib
import json
import poplib
import smtplib
import socket
import ssl
import sys
import xml.etree.ElementTree as ET

p = argparse.ArgumentParser()
p.add_argument('xml')
p.add_argument('--address', required=True)
p.add_argument('--cafile', required=True)
p.add_argument('--resolve', required=True)
p.add_argument('--subject', required=True)
a = p.parse_args()
password = sys.stdin.readline().rstrip('\n')
name, ip = a.resolve.split('=', 1)

real_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *rest, **kw):
    return real_getaddrinfo(ip if host == name else host, *rest, **kw)
socket.getaddrinfo = getaddrinfo

context = ssl.create_default_context(cafile=a.cafile)
provider = ET.parse(a.xml).getroot().find('emailProvider')

def settings(el):
    return {
        'type': el.get('type'),
        'hostname': el.findtext('hostname'),
        'port': int(el.findtext('port')),
        'socketType': el.findtext('socketType'),
        'authentication': el.findtext('authentication'),
        'username': el.findtext('username').replace('%EMAILADDRESS%', a.address),
    }

def send(s, subject):
    if s['socketType'] == 'SSL':
        c = smtplib.SMTP_SSL(s['hostname'], s['port'], context=context, timeout=20)
    else:
        c = smtplib.SMTP(s['hostname'], s['port'], timeout=20)
        c.starttls(context=context)
    c.login(s['username'], password)
    c.sendmail(a.address, [a.address], f'From: {a.address}\r\nTo: {a.address}\r\nSubject: {subject}\r\n\r\nconfigured from autoconfig\r\n')
    c.quit()
    return 'sent'

def read_imap(s, subjects):
    if s['socketType'] == 'SSL':
        c = imaplib.IMAP4_SSL(s['hostname'], s['port'], ssl_context=context, timeout=20)
    else:
        c = imaplib.IMAP4(s['hostname'], s['port'], timeout=20)
        c.starttls(ssl_context=context)
    c.login(s['username'], password)
    c.select('INBOX', readonly=True)
    found = []
    for subject in subjects:
        typ, data = c.search(None, 'SUBJECT', f'"{subject}"')
        found.append(len(data[0].split()))
    c.logout()
    return found

def read_pop3(s, subjects):
    if s['socketType'] == 'SSL':
        c = poplib.POP3_SSL(s['hostname'], s['port'], context=context, timeout=20)
    else:
        c = poplib.POP3(s['hostname'], s['port'], timeout=20)
        c.stls(context=context)
    c.user(s['username'])
    c.pass_(password)
    count = len(c.list()[1])
    headers = b'\n'.join(b'\n'.join(c.top(i, 0)[1]) for i in range(1, count + 1)).decode('utf-8', 'replace')
    c.quit()
    return [headers.count(f'Subject: {subject}') for subject in subjects]

out = []
outgoing = [settings(el) for el in provider.findall('outgoingServer')]
incoming = [settings(el) for el in provider.findall('incomingServer')]
subjects = [f'{a.subject} {i}' for i in range(len(outgoing))]
for s, subject in zip(outgoing, subjects):
    out.append({**s, 'result': send(s, subject)})
for s in incoming:
    out.append({**s, 'result': read_imap(s, subjects) if s['type'] == 'imap' else read_pop3(s, subjects)})
print(json.dumps({'servers': out}))
