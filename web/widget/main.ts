// widget.js: `<script src="{parley}/webchat/widget.js" data-channel="{public_id}" async></script>` on any page adds
// the chat. The script finds its own tag (currentScript, which an async classic script has while it runs) and talks
// to the origin it was loaded from.
import { mount, scriptOptions } from './view';

const script = document.currentScript;
const options = script instanceof HTMLScriptElement ? scriptOptions(script) : null;
if (options) {
  const start = () => document.body.append(mount(options).host);
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
}
