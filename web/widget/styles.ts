// The widget's styles, inside its shadow root so that the host page's rules neither reach nor suffer from them.
// --c is the business's colour (config `color`), --f the text colour readable on it. A thumbnail's height is fixed, so
// the list keeps its place before the picture loads.
export const styles = `
:host{all:initial;position:fixed;right:16px;bottom:16px;z-index:2147483000;font:15px/1.4 system-ui,sans-serif;color:#1a1a1a}
*{box-sizing:border-box;font:inherit}
.launch,.send,.retry{background:var(--c);color:var(--f);border:0;border-radius:999px;padding:10px 18px;cursor:pointer;font-weight:600}
.launch{display:block;margin-left:auto;box-shadow:0 2px 10px #0004}
a:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible{outline:3px solid var(--c);outline-offset:2px}
.panel{width:min(360px,calc(100vw - 32px));height:min(520px,calc(100vh - 96px));margin-bottom:12px;background:#fff;border-radius:12px;box-shadow:0 4px 24px #0005;display:flex;flex-direction:column;overflow:hidden}
header{display:flex;align-items:center;justify-content:space-between;background:var(--c);color:var(--f);padding:10px 14px}
h2{margin:0;font-weight:600}
.close{background:none;border:0;color:inherit;font-size:22px;line-height:1;cursor:pointer;padding:2px 6px}
.log{flex:1;overflow-y:auto;padding:12px}
.log,.list{display:flex;flex-direction:column;gap:8px}
.msg{max-width:85%;padding:8px 12px;border-radius:12px;background:#f0f0f3;white-space:pre-wrap;overflow-wrap:anywhere;align-self:flex-start}
.msg.visitor{align-self:flex-end;background:var(--c);color:var(--f)}
.msg small{display:block;font-size:12px;opacity:.85}
.file{display:block;max-width:100%;color:inherit;margin-bottom:4px}
.file img{display:block;height:160px;max-width:100%;object-fit:cover;border-radius:8px}
.retry{padding:2px 10px;margin-left:6px;font-size:12px;background:#fff;color:#1a1a1a}
.typing,.error{margin:0 12px 6px;font-size:13px;color:#555}
.error{color:#b00020}
form{display:flex;flex-direction:column;gap:6px;padding:10px 12px;border-top:1px solid #e3e3e8}
label{font-size:13px;color:#444}
.fields{display:flex;flex-direction:column;gap:2px}
input,textarea{border:1px solid #bbb;border-radius:8px;padding:7px 9px;color:#1a1a1a;background:#fff;width:100%}
textarea{resize:none;height:60px}
.actions{display:flex;align-items:center;justify-content:space-between}
.attach{display:flex;background:none;border:1px solid #bbb;border-radius:999px;padding:7px;color:#444;cursor:pointer}
.hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
