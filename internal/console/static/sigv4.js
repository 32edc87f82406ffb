// sigv4.js: SHA-256, HMAC-SHA-256 and AWS Signature Version 4 for the
// console's requests. WebCrypto (crypto.subtle) only exists in secure
// contexts (https, localhost, 127.0.0.1); elsewhere the small SHA-256
// below is used. Both are checked against published test vectors by
// SY.crypto.selfTest(), which the browser test runs.
"use strict";
(function (SY) {
  const enc = new TextEncoder();

  // K are the SHA-256 round constants (FIPS 180-4, 4.2.2).
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);

  // sha256 returns the SHA-256 digest of bytes (a Uint8Array), in plain JS.
  function sha256(bytes) {
    const bitLen = bytes.length * 8;
    const padded = new Uint8Array(((bytes.length + 9 + 63) >> 6) << 6);
    padded.set(bytes);
    padded[bytes.length] = 0x80;
    const view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(bitLen / 0x100000000));
    view.setUint32(padded.length - 4, bitLen >>> 0);
    const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    const w = new Uint32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let off = 0; off < padded.length; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + 4 * i);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 64; i++) {
        const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
    const out = new Uint8Array(32);
    const ov = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) ov.setUint32(4 * i, h[i]);
    return out;
  }

  // hmac returns HMAC-SHA-256 (RFC 2104) of data under key, in plain JS.
  function hmac(key, data) {
    if (key.length > 64) key = sha256(key);
    const ipad = new Uint8Array(64 + data.length);
    const opad = new Uint8Array(64 + 32);
    for (let i = 0; i < 64; i++) {
      const k = i < key.length ? key[i] : 0;
      ipad[i] = k ^ 0x36;
      opad[i] = k ^ 0x5c;
    }
    ipad.set(data, 64);
    opad.set(sha256(ipad), 64);
    return sha256(opad);
  }

  const subtle = globalThis.crypto && globalThis.crypto.subtle;

  // The async forms use WebCrypto where it exists, unless plain is set.
  async function digest(bytes, plain) {
    if (subtle && !plain) return new Uint8Array(await subtle.digest("SHA-256", bytes));
    return sha256(bytes);
  }
  async function mac(key, data, plain) {
    if (subtle && !plain) {
      const k = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      return new Uint8Array(await subtle.sign("HMAC", k, data));
    }
    return hmac(key, data);
  }

  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const utf8 = (s) => enc.encode(s);

  // signingKey derives the SigV4 key of a day, region and service.
  async function signingKey(secret, day, region, service, plain) {
    let k = await mac(utf8("AWS4" + secret), utf8(day), plain);
    k = await mac(k, utf8(region), plain);
    k = await mac(k, utf8(service), plain);
    return mac(k, utf8("aws4_request"), plain);
  }

  // sign returns the headers of a SigV4-signed POST of body to path
  // (no query) on host, with extra headers (lower-case names) signed too;
  // plain forces the plain-JS hashes even where WebCrypto exists (tests).
  async function sign({ accessKeyId, secret, region, host, path, body, headers, now, plain }) {
    const date = (now || new Date()).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const day = date.slice(0, 8);
    const all = Object.assign({}, headers, { host: host, "x-amz-date": date });
    const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
    const lower = {};
    for (const [n, v] of Object.entries(all)) lower[n.toLowerCase()] = String(v).trim().replace(/\s+/g, " ");
    const signedHeaders = names.join(";");
    const canonical = ["POST", path, "", names.map((n) => n + ":" + lower[n]).join("\n") + "\n", signedHeaders,
      hex(await digest(utf8(body), plain))].join("\n");
    const scope = `${day}/${region}/events/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", date, scope, hex(await digest(utf8(canonical), plain))].join("\n");
    const key = await signingKey(secret, day, region, "events", plain);
    const signature = hex(await mac(key, utf8(toSign), plain));
    const out = Object.assign({}, headers, { "x-amz-date": date });
    out.authorization = `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return out;
  }

  // selfTest checks the plain-JS SHA-256 and HMAC (and the path in use,
  // WebCrypto or not) against published vectors; it resolves to the list
  // of failures, empty when all pass.
  async function selfTest() {
    const fails = [];
    const check = (name, got, want) => { if (got !== want) fails.push(`${name}: got ${got}, want ${want}`); };
    // FIPS 180-2 appendix B, and the empty string.
    check("sha256('abc')", hex(sha256(utf8("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check("sha256('')", hex(sha256(utf8(""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check("sha256(448 bits)", hex(sha256(utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    check("sha256(1000 x 'a')", hex(sha256(utf8("a".repeat(1000)))), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
    // RFC 4231 test cases 2 and 6 (a key longer than the block).
    check("hmac(case 2)", hex(hmac(utf8("Jefe"), utf8("what do ya want for nothing?"))),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    check("hmac(case 6)", hex(hmac(new Uint8Array(131).fill(0xaa), utf8("Test Using Larger Than Block-Size Key - Hash Key First"))),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    // AWS's documented signing-key example (IAM, 2012-02-15).
    check("signing key", hex(await signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")),
      "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    let k = hmac(utf8("AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), utf8("20120215"));
    for (const part of ["us-east-1", "iam", "aws4_request"]) k = hmac(k, utf8(part));
    check("signing key (plain JS)", hex(k), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    check("digest('abc')", hex(await digest(utf8("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    return fails;
  }

  SY.crypto = { sha256, hmac, sign, selfTest, webCrypto: Boolean(subtle) };
})(window.SY = window.SY || {});
