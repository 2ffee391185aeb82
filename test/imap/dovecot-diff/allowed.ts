// The differences between homepost and Dovecot that the RFCs allow, each with its reason. A line
// one server sends and the other does not must match an entry for its script (and step, when
// given); anything else fails the harness, and so does an entry that no longer matches anything,
// so that this table stays true. Where Dovecot is the one outside an RFC, the reason says so.
import type { AllowedDifference } from './compare.ts';

const SELECTS = /^[ab]: (SELECT|EXAMINE) /;
const tagged = (status: string) => new RegExp(`^[ab]\\d+ ${status}$`);
// A FETCH response and what can follow it (its literal lines and the text after a literal).
const FETCH_DATA = /^(\* \d+ FETCH \(.*|\| .*|\s{2,}.*)$/;

export const allowed: AllowedDifference[] = [
  // --- every script ---
  {
    script: '*',
    step: SELECTS,
    homepost: /^\* OK \[HIGHESTMODSEQ <modseq>\]$/,
    reason:
      'RFC 7162 3.1.2.1: a server that keeps mod-sequences "MUST send the OK untagged response including HIGHESTMODSEQ response code ' +
      'with every successful SELECT or EXAMINE command"; Dovecot sends it only once CONDSTORE is enabled. An untagged OK with a ' +
      'response code a client does not know is ignored (RFC 3501 7.1).',
  },
  {
    script: '*',
    step: SELECTS,
    dovecot: /^\* OK \[CLOSED\]$/,
    reason:
      'RFC 7162 3.2.11 (QRESYNC enabled) and RFC 9051 7.1 (IMAP4rev2) define [CLOSED] when SELECT/EXAMINE replaces a selected ' +
      'mailbox; homepost sends it to those clients, Dovecot to every client. IMAP4rev1 clients ignore the code (RFC 3501 7.1).',
  },
  {
    script: '*',
    step: /^[ab]: (UID )?(EXPUNGE|MOVE)/,
    dovecot: /^\* \d+ RECENT$/,
    reason:
      'RFC 3501 7.3.2: RECENT is sent at SELECT/EXAMINE and when the mailbox size changes with new messages; EXPUNGE implicitly ' +
      'lowers the counts (RFC 3501 7.4.1). Dovecot also repeats RECENT after expunges; homepost does not have to.',
  },

  // --- FETCH ---
  {
    script: 'fetch-structure',
    step: /^a: UID FETCH 7 \(ENVELOPE\)$/,
    homepost: /\{13\}|J\\xc3\\xb6rg M\\xc3\\xbcller|NIL "joerg" "example\.test"/,
    dovecot: /\{11\}|J\\xf6rg M\\xfcller|NIL "joerg" "example\.test"/,
    reason:
      'The From display name holds raw ISO-8859-1 octets. RFC 6532 3.2 allows only UTF-8 in header fields, so the octets have no ' +
      'defined meaning: homepost (src/mime) reads invalid UTF-8 as ISO-8859-1 and sends UTF-8, Dovecot passes the octets through.',
  },
  {
    script: 'fetch-structure',
    step: /^a: UID FETCH 8 \(BODY(STRUCTURE)?\)$/,
    homepost: /"name\*" "utf-8''%E2%82%AC%20Rechnung%20f%C3%BCr%20M%C3%A4rz\.pdf"|"size" "42"\)\)/,
    dovecot: /"name\*" "UTF-8''%E2%82%AC%20Rechnung%20f%C3%BCr%20M%C3%A4rz\.pdf"/,
    reason:
      'RFC 9051 7.5.2 (body parameter list): servers SHOULD decode RFC 2231 continuations and charsets. homepost stores the ' +
      "value decoded and, to a session without UTF8=ACCEPT, sends it charset''%-encoded again as UTF-8 (RFC 2231 4; charset " +
      'names are case-insensitive, RFC 2978 2.3) in the position of its first section; Dovecot 2.3 keeps the form the message ' +
      'wrote and puts the joined parameter last. Both satisfy RFC 2231 4.1 ("IMAP4 servers SHOULD decode parameter value continuations").',
  },
  {
    script: 'fetch-structure',
    step: /^a: UID FETCH 20 \(BODYSTRUCTURE\)$/,
    homepost: /"8bit" 104 1 NIL NIL "de" NIL\)/,
    dovecot: /"8bit" 104 1 NIL NIL \("de"\) NIL\)/,
    reason: 'RFC 9051 9: body-fld-lang = nstring / "(" string *(SP string) ")": one language may be sent as a string or a list.',
  },
  {
    script: 'fetch-sections',
    step: /^a: UID FETCH 1 \(BODY\.PEEK\[1\.1\.1\.1\]\)$/,
    homepost: /^\* 1 FETCH \(BODY\[1\.1\.1\.1\] "" UID 1\)$/,
    dovecot: FETCH_DATA,
    reason:
      'Part 1.1.1 is a text/plain inside a multipart. RFC 9051 6.4.5 gives a part 1 to a non-multipart message, not to a ' +
      'leaf part, so 1.1.1.1 names nothing, and what a FETCH of a section that does not exist returns is not specified: homepost ' +
      'returns an empty string, Dovecot the body of 1.1.1.',
  },
  {
    script: ['fetch-sections', 'bad-input'],
    step: /^a: FETCH 1 \((BODY\[0\]|BODY\.PEEK\[TEXT\]<5\.0>|BODY\.PEEK\[1\.0\]|BODY\.PEEK\[\]<10>)\)$/,
    homepost: tagged('BAD'),
    dovecot: /^(\* 1 FETCH \(.*|\| .*|\s+\)|a\d+ OK)$/,
    reason:
      'RFC 9051 9: section-part = nz-number *("." nz-number) and partial = "<" number64 "." nz-number64 ">", so part 0, a count of ' +
      '0 and a partial without a count are syntax errors, answered BAD (RFC 9051 7.1.3). Dovecot accepts them.',
  },

  // --- SEARCH ---
  {
    script: 'search-keys',
    step: /^a: SEARCH SENTBEFORE 2-Jan-2024$/,
    homepost: /^\* SEARCH 1 2 3 4 5 8 14$/,
    dovecot: /^\* SEARCH 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 17$/,
    reason:
      'RFC 9051 6.4.4: SENTBEFORE matches "messages whose [RFC5322] Date: header ... is earlier than the specified date". ' +
      'Messages 6, 7, 9-13, 15 and 17 have no Date header: homepost does not match them, Dovecot takes a missing date as earlier.',
  },
  {
    script: 'search-charset',
    step: /^a: SEARCH CHARSET UTF-8 FROM /,
    homepost: /^\* SEARCH 7 16$/,
    dovecot: /^\* SEARCH 16$/,
    reason:
      'Message 7 has "Müller" in raw ISO-8859-1 octets in From (see the fetch-structure entry for message 7): RFC 6532 3.2 gives ' +
      'non-UTF-8 header octets no meaning; homepost reads them as ISO-8859-1 and matches, Dovecot does not.',
  },
  {
    script: 'search-charset',
    step: /^a: SEARCH CHARSET X-UNKNOWN /,
    homepost: /^a\d+ NO \[BADCHARSET \(UTF-8 US-ASCII\)\]$/,
    dovecot: /^a\d+ NO \[BADCHARSET\]$/,
    reason: 'RFC 9051 7.1: BADCHARSET is "optionally followed by a parenthesized list of charsets"; homepost lists them.',
  },

  // --- SORT and THREAD ---
  {
    script: 'sort-corpus',
    step: /^a: SORT \((REVERSE )?DISPLAYFROM\) /,
    homepost: /^\* SORT [\d ]*\b(7 16|16 7)\b[\d ]*$/,
    dovecot: /^\* SORT [\d ]*\b(16 7|7 16)\b[\d ]*$/,
    reason:
      'Message 7 has "Jörg Müller" in raw ISO-8859-1 octets in From, message 16 the same name as RFC 2047 UTF-8. RFC 6532 3.2 gives ' +
      'non-UTF-8 header octets no meaning: homepost reads them as ISO-8859-1, so the two display names are equal and the messages ' +
      'stay in mailbox order (RFC 5256 3); Dovecot compares the octets as they are and sorts 7 after 16.',
  },
  {
    script: 'sort-thread',
    step: /^a: THREAD .* FROM nobody$/,
    homepost: /^\* THREAD$/,
    dovecot: /^\* THREAD $/,
    reason: 'RFC 5256 4: thread-data = "THREAD" [SP 1*thread-list]: without threads no SP follows. Dovecot sends one.',
  },

  // --- STORE and keywords ---
  {
    script: ['search-flags', 'store-flags', 'two-sessions-flags'],
    step: /^[ab]: (STORE|SEARCH KEYWORD) /,
    dovecot: /^\* (FLAGS \(.*\)|OK \[PERMANENTFLAGS \(.*\)\])$/,
    reason:
      'RFC 9051 7.3.5 / RFC 3501 7.2.6: FLAGS is sent at SELECT/EXAMINE; a server may send an updated list when it learns a new ' +
      'keyword (Dovecot does, even for SEARCH KEYWORD) but need not: PERMANENTFLAGS with \\* (RFC 9051 7.1) already tells the ' +
      'client that keywords can be created.',
  },
  {
    script: ['two-sessions-expunge', 'two-sessions-flags'],
    step: /^[ab]: (UID )?FETCH /,
    dovecot: /^\* \d+ FETCH \(FLAGS \(.*\)\)$/,
    reason:
      "Another session's flag change that the FETCH's own FLAGS item already showed: Dovecot reports it again after the FETCH, " +
      'homepost drops it as no news (and a pending change is never reported after a newer state, RFC 7162 3.1).',
  },
  {
    script: 'store-flags',
    step: /^a: STORE (1 \+FLAGS \(\\Seen\)|4 FLAGS \(\))$/,
    homepost: /^\* (1 FETCH \(FLAGS \(\\Recent \\Seen\)\)|4 FETCH \(FLAGS \(\\Recent\)\))$/,
    reason:
      'The STORE changed nothing. RFC 9051 6.4.6: without .SILENT "the server SHOULD send an untagged FETCH response" with the ' +
      'new flags; homepost does for every message named, Dovecot only for messages whose flags changed.',
  },
  {
    script: ['copy-move-expunge', 'condstore'],
    step: /^a: STATUS (Work|Cond) /,
    homepost: tagged('OK'),
    dovecot: /^a\d+ OK \[CLIENTBUG\]$/,
    reason:
      'STATUS of the selected mailbox: RFC 9051 6.3.11 says a client SHOULD NOT do it but lets the server answer; Dovecot adds ' +
      'the advisory RFC 5530 CLIENTBUG code.',
  },

  // --- two sessions ---
  {
    script: ['two-sessions-expunge', 'two-sessions-fetch-expunged'],
    step: /^b: FETCH [23] \(/,
    homepost: /^b\d+ NO \[EXPUNGEISSUED\]$/,
    dovecot: /^(\* \d+ FETCH \(.*|\| .*|\s{2,}.*|b\d+ OK)$/,
    reason:
      'FETCH of a message another session expunged, before this session was told (EXPUNGE cannot be sent during FETCH, RFC 9051 ' +
      '7.5.1). RFC 2180 4.1 lists the choices: return the cached data (4.1.1, Dovecot) or the data of the others and a tagged NO ' +
      '(4.1.2, homepost, with the RFC 9051 7.1 EXPUNGEISSUED code).',
  },
  {
    script: 'two-sessions-expunge',
    step: /^b: (UID )?SEARCH /,
    homepost: /^\* SEARCH( \d+)*$/,
    dovecot: /^\* SEARCH( \d+)*$/,
    reason:
      'SEARCH after another session expunged messages this one has not been told about: RFC 2180 4.3 lets the server leave ' +
      'them out (homepost) or match them as they were (Dovecot).',
  },
  {
    script: 'two-sessions-expunge',
    step: /^b: UID FETCH 1:3 /,
    dovecot: /^\* 1 FETCH \(FLAGS \(\\Deleted\) UID 1\)$/,
    reason:
      'UID FETCH of a UID another session expunged: RFC 9051 6.4.9 ignores UIDs that do not exist, and UID FETCH may report the ' +
      'EXPUNGE (7.5.1), which both do; Dovecot also returns its cached data (RFC 2180 4.1.1).',
  },

  // --- mailboxes ---
  {
    script: 'mailboxes',
    step: /^a: LSUB "" \*$/,
    homepost: /^\* LSUB \(\) "\/" (Archive|Drafts|Junk|Sent|Trash)$/,
    dovecot: /^\* LSUB \(\\(Archive|Drafts|Junk|Sent|Trash)\) "\/" (Archive|Drafts|Junk|Sent|Trash)$/,
    reason:
      'RFC 3501 7.2.3: LSUB has the format of LIST; RFC 6154 2 lets a server include special-use attributes where they were not ' +
      'asked for (MAY); Dovecot does in LSUB, homepost in LIST only.',
  },
  {
    script: 'mailboxes',
    step: /^a: LIST (\(SPECIAL-USE\)|\(SUBSCRIBED\)|"" \* RETURN \(SPECIAL-USE\)|"" % RETURN \(CHILDREN\)|"" \(INBOX Drafts\) RETURN)/,
    homepost: /^\* LIST \(.*\) "\/" .*$/,
    dovecot: /^\* LIST \(.*\) "\/" .*$/,
    reason:
      'The same mailboxes with different attributes: homepost always adds \\HasChildren/\\HasNoChildren and the special-use ' +
      'attributes, Dovecot only when asked (RETURN (CHILDREN), RETURN (SPECIAL-USE), LIST (SPECIAL-USE)). RFC 5258 4 lets a ' +
      'server return child information that was not requested, and RFC 6154 2 special-use attributes (MAY).',
  },
  {
    script: 'mailboxes',
    step: /^a: (RENAME Projects "Projects\/With Space"|STATUS NoSuchMailbox|DELETE INBOX|SELECT NoSuchMailbox|CREATE "&Jjo")/,
    homepost: /^a\d+ NO \[(ALREADYEXISTS|NONEXISTENT|CANNOT)\]$/,
    dovecot: tagged('NO'),
    reason: 'Both refuse; homepost adds the RFC 5530 response code, which is optional.',
  },
  {
    script: 'mailboxes',
    step: /^a: LIST "" Deep\*$/,
    homepost: /^\* LIST \(\\HasChildren\) "\/" Deep(\/Er)?$/,
    dovecot: /^\* LIST \(\\HasChildren \\Noselect\) "\/" Deep(\/Er)?$/,
    reason:
      'CREATE Deep/Er/Est: RFC 9051 6.3.4 says the server SHOULD create the superior names; homepost creates them as mailboxes, ' +
      'Dovecot (maildir) as \\Noselect names. Either is allowed.',
  },
  {
    script: 'mailboxes',
    step: /^a: LSUB "" Renamed\*$/,
    homepost: /^\* LSUB \(\) "\/" Renamed2$/,
    dovecot: /^\* LSUB \(\) "\/" Renamed$/,
    reason:
      'RENAME of a subscribed mailbox: RFC 9051 6.3.6 says nothing of subscriptions; homepost moves the subscription with the ' +
      'mailbox, Dovecot keeps the old name (RFC 9051 6.3.9 only forbids the server to drop a subscription on its own).',
  },
  {
    script: 'rename-inbox',
    homepost:
      /^(a1 OK|\* STATUS Saved \(MESSAGES 26 UIDNEXT 27 UNSEEN 26\)|a2 OK|\* STATUS INBOX \(MESSAGES 0 UIDNEXT 27\)|\* LIST \(\\HasNoChildren\) "\/" Saved)$/,
    dovecot: /^(a1 NO \[CANNOT\]|a2 NO|\* STATUS INBOX \(MESSAGES 26 UIDNEXT 27\))$/,
    reason:
      'RFC 9051 6.3.6: "Renaming INBOX is permitted" and moves its messages to the new mailbox, leaving INBOX empty; homepost ' +
      'does so, Dovecot (maildir) refuses with NO [CANNOT], which a server may answer to any command it cannot carry out.',
  },

  // --- CONDSTORE and ENABLE ---
  {
    script: ['condstore', 'enable-selected'],
    step: /^a: ENABLE CONDSTORE$/,
    homepost: tagged('BAD'),
    dovecot: /^(\* OK \[HIGHESTMODSEQ <modseq>\]|\* ENABLED CONDSTORE|a\d+ OK)$/,
    reason:
      'ENABLE while a mailbox is selected: RFC 5161 3.1 (and RFC 9051 6.3.1) make ENABLE "only valid in the authenticated state, ' +
      'before any mailbox is selected" and let servers not check it; homepost answers BAD, Dovecot enables.',
  },
  {
    script: 'enable-selected',
    step: /^a: ENABLE CONDSTORE$/,
    homepost: /^\* ENABLED$/,
    dovecot: /^\* ENABLED CONDSTORE$/,
    reason:
      'ENABLE of an extension that is already enabled (Dovecot enabled CONDSTORE in the selected state): RFC 5161 3.2 has the ' +
      'ENABLED response list what the command enabled; homepost lists nothing new, Dovecot repeats the name.',
  },
  {
    script: 'condstore',
    step: /^a: EXPUNGE$/,
    homepost: /^a\d+ OK \[HIGHESTMODSEQ <modseq>\]$/,
    dovecot: tagged('OK'),
    reason:
      'After expunges, which carry no MODSEQ, homepost tells a CONDSTORE client the new HIGHESTMODSEQ in the tagged OK (RFC 7162 ' +
      '3.1.2.1 defines the response code; a response code in an OK is informational, RFC 9051 7.1); Dovecot leaves it out.',
  },

  // --- bad input ---
  {
    script: 'bad-input',
    step: /^a: EXAMINE INBOX extra arguments$/,
    homepost: tagged('BAD'),
    dovecot: /^(\* .*|a\d+ OK \[READ-ONLY\])$/,
    reason: 'RFC 9051 9: examine = "EXAMINE" SP mailbox; extra arguments are a syntax error (BAD, RFC 9051 7.1.3). Dovecot ignores them.',
  },
  {
    script: 'bad-input',
    step: /^a: SEARCH BEFORE 32-Jan-2024$/,
    homepost: tagged('BAD'),
    dovecot: /^(\* SEARCH( \d+)*|a\d+ OK)$/,
    reason: 'There is no 32 January: RFC 9051 9 date-day is a day of the month. homepost answers BAD (RFC 9051 7.1.3); Dovecot searches.',
  },
  {
    script: 'bad-input',
    step: /^a: STORE 1 \+FLAGS \(\\Seen\)$/,
    homepost: /^a\d+ NO \[READ-ONLY\]$/,
    dovecot: tagged('OK'),
    reason:
      'STORE in a mailbox opened with EXAMINE: RFC 9051 6.3.3 permits no change to the mailbox; homepost refuses with NO ' +
      '[READ-ONLY] (RFC 9051 7.1), Dovecot answers OK and changes nothing.',
  },

  // --- malformed MIME (test/fixtures/mime): RFC 2045/2046/5322 define no reading ---
  {
    script: 'malformed-mime',
    step: /^a: UID FETCH 1 \(ENVELOPE\)$/,
    homepost: /^\* 1 FETCH \(ENVELOPE \(NIL "broken addresses" \(\(NIL NIL "Unterminated <broken@example\.test>" "MISSING_DOMAIN"\)\)/,
    dovecot: /^\* 1 FETCH \(ENVELOPE \(NIL "broken addresses" \(\(NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN"\)\)/,
    reason:
      'From: "Unterminated <broken@example.test> has an unterminated quoted-string (RFC 5322 3.2.4): no address can be read. ' +
      'Both answer with placeholders; homepost keeps the text as the mailbox name, Dovecot drops it.',
  },
  {
    script: 'malformed-mime',
    step: /^a: UID FETCH 2 \(BODYSTRUCTURE\)$/,
    homepost: /"message" "rfc822" NIL NIL NIL "base64" 36 /,
    dovecot: /"message" "rfc822" NIL NIL NIL "base64" 38 /,
    reason:
      'A base64 message/rfc822 part whose last line runs into the delimiter: RFC 2046 5.1.1 attaches that CRLF to the ' +
      'delimiter, so the part has 36 octets (homepost); Dovecot counts the CRLF. (A base64 message/rfc822 is itself invalid, ' +
      'RFC 2046 5.2.1.)',
  },
  {
    script: 'malformed-mime',
    step: /^a: UID FETCH [38] \(/,
    homepost: /^(\* [38] FETCH \(BODY(STRUCTURE)? ?\(?.*|\| .*|\s{2,}.*)$/,
    dovecot: /^\* [38] FETCH \(BODY(STRUCTURE \(\("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 0 0 |\[1\] "" )/,
    reason:
      'A multipart without a boundary parameter (message 3) or whose boundary never occurs (message 8): RFC 2046 5.1.1 requires ' +
      'the boundary and says nothing of its absence. Both show one text/plain part; homepost gives it the whole body, so the ' +
      'content stays reachable as BODY[1], Dovecot makes it empty.',
  },
  {
    script: 'malformed-mime',
    step: /^a: UID FETCH 6 \(RFC822\.SIZE BODY\.PEEK\[1\] BODY\.PEEK\[TEXT\]\)$/,
    homepost: /^(\* 6 FETCH \(BODY\[1\] \{125\}|\| --=_abc_inner-- <no line end>)$/,
    dovecot: /^(\* 6 FETCH \(BODY\[1\] \{127\}|\| --=_abc_inner--)$/,
    reason:
      'Part 1 is a multipart whose close delimiter is followed by CRLF and the outer delimiter: RFC 2046 5.1.1 attaches that ' +
      'CRLF to the outer delimiter, so the part ends after "--=_abc_inner--" (homepost, 125 octets); Dovecot includes the CRLF.',
  },
  {
    script: 'malformed-mime',
    step: /^a: UID FETCH 9 \(BODYSTRUCTURE\)$/,
    homepost: /"mixed" \("boundary" "b"\) NIL NIL NIL\) UID 9\)$/,
    dovecot: /"mixed" \("boundary" "b"\) \("" NIL\) NIL NIL\) UID 9\)$/,
    reason:
      'An empty Content-Disposition field (message 9, the multipart): RFC 2183 2 requires a disposition type, so there is none ' +
      'to report. homepost sends NIL, Dovecot a disposition with an empty type; body-fld-dsp = "(" string SP body-fld-param ")" / ' +
      'nil (RFC 9051 9) allows both. Every other empty field of the message (Subject, Date, Content-ID, Content-Description, ' +
      'Content-Location, Content-MD5, empty parameter values) is "" on both servers, an absent one NIL.',
  },
];
