import { randomBytes } from 'node:crypto';

/**
 * The page a person gets when they open a signal link (from an e-mail or chat notification): which signal and until
 * when, with Approve / Reject buttons and a box for another JSON body, each a POST to the same URL. Opening the link
 * changes nothing (mail scanners and link previews open links too); only a button press does. The page shows no
 * delivery data: the token proves the right to resume one wait, not to read anything.
 *
 * Self-contained, so its Content-Security-Policy can allow nothing but its own inline script and style (by a fresh
 * nonce) and requests to this origin. Every value written into it is escaped.
 */
export interface SignalPage {
  status: number;
  headers: Record<string, string>;
  html: string;
}

export function signalPage(view: { signal: string; expiresAt: Date } | 'invalid'): SignalPage {
  const nonce = randomBytes(16).toString('base64');
  const headers = {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    // The URL is the credential: it must not leave in a Referer, sit in a cache, or be indexed.
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Robots-Tag': 'noindex, nofollow',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
  };
  if (view === 'invalid') {
    return { status: 401, headers, html: layout(nonce, 'Link not valid', '<p>This signal link is not valid or has expired. Nothing was changed.</p>', '') };
  }
  const until = view.expiresAt.toISOString();
  const body = `<p>A workflow is waiting for the signal <strong>${escapeHtml(view.signal)}</strong> until <time id="until" datetime="${escapeHtml(until)}">${escapeHtml(until)}</time>.</p>
<p>Your answer resumes it. The link works once.</p>
<div class="buttons"><button id="approve" type="button">Approve</button> <button id="reject" type="button">Reject</button></div>
<details><summary>Send another JSON body</summary>
<label for="custom">JSON body</label>
<textarea id="custom" rows="6" spellcheck="false">{ "approved": true }</textarea>
<button id="send" type="button">Send</button>
</details>
<p id="status" role="status"></p>`;
  return { status: 200, headers, html: layout(nonce, `Signal ${view.signal}`, body, script) };
}

// The page's only script: shows the deadline in local time, and POSTs the chosen body to this same URL.
const script = `
const status = document.getElementById('status');
const until = document.getElementById('until');
until.textContent = new Date(until.dateTime).toLocaleString();
const buttons = [...document.querySelectorAll('button')];
async function send(body) {
  buttons.forEach((b) => (b.disabled = true));
  status.textContent = 'Sending…';
  try {
    const res = await fetch(location.pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body, credentials: 'omit', cache: 'no-store' });
    let answer = {};
    try { answer = await res.json(); } catch {}
    if (res.status === 202) status.textContent = 'Thank you: the workflow resumes.';
    else {
      status.textContent = (answer && typeof answer.detail === 'string' ? answer.detail : 'The signal was refused') + ' (' + res.status + ').';
      if (res.status >= 500) buttons.forEach((b) => (b.disabled = false));
    }
  } catch {
    status.textContent = 'Could not reach the server; try again.';
    buttons.forEach((b) => (b.disabled = false));
  }
}
document.getElementById('approve').addEventListener('click', () => send('{"approved":true}'));
document.getElementById('reject').addEventListener('click', () => send('{"approved":false}'));
document.getElementById('send').addEventListener('click', () => {
  const text = document.getElementById('custom').value;
  try { JSON.parse(text); } catch { status.textContent = 'That is not valid JSON.'; return; }
  send(text);
});
`;

const style = `
body { font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.4rem; }
button { font: inherit; padding: .5rem 1.2rem; margin: .25rem .5rem .25rem 0; cursor: pointer; }
#approve { background: #1a7f37; color: #fff; border: 0; border-radius: 4px; }
#reject { background: #cf222e; color: #fff; border: 0; border-radius: 4px; }
textarea { width: 100%; font: 14px ui-monospace, monospace; margin: .5rem 0; }
label { display: block; margin-top: .5rem; }
details { margin-top: 1.5rem; }
#status { margin-top: 1.5rem; font-weight: 600; }
`;

function layout(nonce: string, title: string, body: string, pageScript: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Hookflow</title>
<style nonce="${nonce}">${style}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
${pageScript ? `<script nonce="${nonce}">${pageScript}</script>` : ''}
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
