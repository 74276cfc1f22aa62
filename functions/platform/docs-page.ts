/**
 * A self-contained page that renders /openapi.json (no CDN: it must work offline on one laptop).
 */
export const docsPage = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OneWindow 一窗通办 API</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd}
.op{border:1px solid #ddd;border-radius:6px;margin:.75rem 0;padding:.5rem .75rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700;font-family:monospace}
.GET{color:#0a7}.POST{color:#06c}.PUT,.PATCH{color:#b70}.DELETE{color:#c22}
code,pre{font-family:ui-monospace,monospace;font-size:.85rem}pre{background:#f6f6f6;padding:.5rem;overflow:auto}
.lock{color:#b70}
</style>
</head>
<body>
<h1 id="title">OneWindow API</h1>
<p id="desc"></p>
<p><a href="./openapi.json">openapi.json</a></p>
<div id="ops">加载中…</div>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
fetch('./openapi.json').then((r) => r.json()).then((doc) => {
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  document.getElementById('desc').textContent = doc.info.description || '';
  const byTag = {};
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags || ['other'])[0];
      (byTag[tag] ||= []).push({ path, method: method.toUpperCase(), op });
    }
  }
  document.getElementById('ops').innerHTML = Object.entries(byTag).map(([tag, ops]) =>
    '<h2>' + esc(tag) + '</h2>' + ops.map(({ path, method, op }) =>
      '<div class="op"><span class="m ' + method + '">' + method + '</span><code>' + esc(path) + '</code> ' +
      (op.security ? '<span class="lock" title="Bearer JWT">🔒</span>' : '') +
      '<div>' + esc(op.summary) + '</div>' +
      ((op.parameters || []).length ? '<div>参数: ' + op.parameters.map((p) => '<code>' + esc(p.in) + '.' + esc(p.name) + (p.required ? '*' : '') + '</code>').join(' ') + '</div>' : '') +
      (op.requestBody ? '<details><summary>请求体</summary><pre>' + esc(JSON.stringify(op.requestBody.content, null, 2)) + '</pre></details>' : '') +
      '<details><summary>响应: ' + Object.keys(op.responses || {}).join(', ') + '</summary><pre>' + esc(JSON.stringify(op.responses, null, 2)) + '</pre></details>' +
      '</div>').join('')).join('');
}).catch((e) => { document.getElementById('ops').textContent = '无法加载 openapi.json: ' + e; });
</script>
</body>
</html>
`;
