// RFC 5256 2.1 base subject: the subject without reply and forward markers, mailing-list blobs
// and "(fwd)" trailers, canonicalized for comparison (RFC 5256 "Internationalization
// Considerations": i;unicode-casemap of RFC 5051, here approximated by NFKD of the upper case).
// The extraction moves two indexes over the subject and never backtracks: a subject of many
// thousand blobs or trailers costs one pass.

export interface BaseSubject {
  base: string;
  // A reply or forward marker was removed (RFC 5256 3, REFERENCES step 5).
  reply: boolean;
}

const isWsp = (c: string | undefined) => c === ' ' || c === '\t';

// subj-blob = "[" *BLOBCHAR "]" *WSP, BLOBCHAR excluding "[" and "]": the index after it, or -1.
function blobEnd(s: string, i: number, end: number): number {
  if (s[i] !== '[') return -1;
  let j = i + 1;
  while (j < end && s[j] !== ']' && s[j] !== '[') j++;
  if (j >= end || s[j] !== ']') return -1;
  for (j++; j < end && isWsp(s[j]); ) j++;
  return j;
}

// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":": the index after it, or -1.
function refwdEnd(s: string, i: number, end: number): number {
  const word = s.slice(i, Math.min(i + 3, end)).toLowerCase();
  let j = word.startsWith('re') ? i + 2 : word === 'fwd' ? i + 3 : word.startsWith('fw') ? i + 2 : -1;
  if (j < 0) return -1;
  while (j < end && isWsp(s[j])) j++;
  const blob = blobEnd(s, j, end);
  if (blob >= 0) j = blob;
  return s[j] === ':' && j < end ? j + 1 : -1;
}

// The index after the subj-blobs that start at i (none: i). Taken greedily: after them comes no
// "[", so a subj-refwd cannot start after fewer of them.
function blobsEnd(s: string, i: number, end: number): number {
  let j = i;
  for (let b = blobEnd(s, j, end); b >= 0; b = blobEnd(s, j, end)) j = b;
  return j;
}

// The subject is given decoded (RFC 2047, step 1's first half).
export function baseSubject(subject: string): BaseSubject {
  // (1) continuations and tabs to space, runs of spaces to one
  const s = subject.replace(/\r?\n/g, '').replace(/[ \t]+/g, ' ');
  let start = 0;
  let end = s.length;
  let reply = false;
  for (;;) {
    // (2) subj-trailer = "(fwd)" / WSP, repeatedly
    for (;;) {
      if (end > start && s[end - 1] === ' ') end--;
      else if (end - start >= 5 && s.slice(end - 5, end).toLowerCase() === '(fwd)') {
        end -= 5;
        reply = true;
      } else break;
    }
    // (5) steps 3 and 4 until neither removes anything. subj-leader = (*subj-blob subj-refwd) /
    // WSP. When the blobs from `start` are followed by no subj-refwd, none of them is (step 4
    // removes them one at a time): `bare` remembers where such a run ends.
    let bare = -1;
    for (let changed = true; changed; ) {
      changed = false;
      // (3) leaders
      while (start < end && start > bare) {
        if (s[start] === ' ') {
          start++;
        } else {
          const blobs = blobsEnd(s, start, end);
          const refwd = refwdEnd(s, blobs, end);
          if (refwd < 0) {
            bare = blobs;
            break;
          }
          start = refwd;
          reply = true;
        }
        changed = true;
      }
      // (4) a blob, when something is left after it
      const blob = blobEnd(s, start, end);
      if (blob >= 0 && blob < end) {
        start = blob;
        changed = true;
      }
    }
    // (6) "[fwd:" ... "]" around the whole subject
    if (end - start >= 6 && s.slice(start, start + 5).toLowerCase() === '[fwd:' && s[end - 1] === ']') {
      start += 5;
      end -= 1;
      reply = true;
      continue;
    }
    return { base: canonical(s.slice(start, end)), reply };
  }
}

// The comparison form of a string (SORT and THREAD compare these by code point).
export function canonical(s: string): string {
  return s.toUpperCase().normalize('NFKD');
}
