// RFC 5256 2.1 base subject: the subject without reply and forward markers, mailing-list blobs
// and "(fwd)" trailers, canonicalized for comparison (RFC 5256 "Internationalization
// Considerations": i;unicode-casemap of RFC 5051, here approximated by NFKD of the upper case).

// subj-trailer = "(fwd)" / WSP
const TRAILER = /(\(fwd\)|[ \t])$/i;
// subj-blob = "[" *BLOBCHAR "]" *WSP
const BLOB = /^\[[^[\]]*\][ \t]*/;
// subj-leader = (*subj-blob subj-refwd) / WSP, where
// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
const LEADER = /^((\[[^[\]]*\][ \t]*)*(re|fwd?)[ \t]*(\[[^[\]]*\][ \t]*)?:|[ \t])/i;

export interface BaseSubject {
  base: string;
  // A reply or forward marker was removed (RFC 5256 3, REFERENCES step 5).
  reply: boolean;
}

// The subject is given decoded (RFC 2047, step 1's first half).
export function baseSubject(subject: string): BaseSubject {
  // (1) continuations and tabs to space, runs of spaces to one
  let s = subject.replace(/\r?\n/g, '').replace(/[ \t]+/g, ' ');
  let reply = false;
  for (;;) {
    // (2) trailers, repeatedly
    for (let m = TRAILER.exec(s); m; m = TRAILER.exec(s)) {
      s = s.slice(0, -m[0].length);
      if (m[1]!.length > 1) reply = true;
    }
    // (5) steps 3 and 4 until neither removes anything
    for (let changed = true; changed; ) {
      changed = false;
      // (3) leaders
      for (let m = LEADER.exec(s); m; m = LEADER.exec(s)) {
        s = s.slice(m[0].length);
        if (m[0] !== ' ') reply = true;
        changed = true;
      }
      // (4) a blob, when something is left after it
      const blob = BLOB.exec(s);
      if (blob && blob[0].length < s.length) {
        s = s.slice(blob[0].length);
        changed = true;
      }
    }
    // (6) "[fwd:" ... "]" around the whole subject
    if (s.length >= 6 && s.slice(0, 5).toLowerCase() === '[fwd:' && s.endsWith(']')) {
      s = s.slice(5, -1);
      reply = true;
      continue;
    }
    return { base: canonical(s), reply };
  }
}

// The comparison form of a string (SORT and THREAD compare these by code point).
export function canonical(s: string): string {
  return s.toUpperCase().normalize('NFKD');
}
