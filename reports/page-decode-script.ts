// In-page JS both chart pages share (report and proof): from the embedded
// text to columns. base64 → bytes → DecompressionStream('gzip') → text, and
// integer columns stored as deltas (columns.ts encodeColumn) back to values.
// Plain browser JS, spliced inside each page's own function scope.

export const DECODE_HELPERS = String.raw`
  function decodeBase64(b64) {
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }

  function gunzipText(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).text();
  }

  // Columns: plain arrays, or { d: deltas } for integer columns.
  function col(c) {
    if (Array.isArray(c)) return c;
    var base = 0;
    return c.d.map(function (d) { if (d === null) return null; base += d; return base; });
  }
`;
