/* global console, process */
// After `npm run docs` (typedoc): every local link of the generated API reference leads to a
// file that exists, and no link is a bare word that markdown turned into a web address (such as
// `findings.md` becoming http://findings.md). Exits 1 naming each dead link.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = 'docs/api';
const pages = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) =>
  file.endsWith('.html'),
);
const dead = [];
for (const page of pages) {
  const html = readFileSync(join(root, page), 'utf8');
  for (const [, href] of html.matchAll(/href="([^"]+)"/g)) {
    if (/^https?:\/\//.test(href)) {
      // a web address made from a file name or an identifier, not a real site
      if (/^https?:\/\/[^/]*\.(md|ts|js|json|name)\/?$/.test(href)) dead.push(`${page}: ${href}`);
      continue;
    }
    if (/^(#|mailto:|data:|javascript:)/.test(href)) continue;
    const target = decodeURIComponent(href.split('#')[0].split('?')[0]);
    if (target !== '' && !existsSync(join(root, dirname(page), target))) dead.push(`${page}: ${href}`);
  }
}
for (const link of dead) console.error(`dead link in docs/api/${link}`);
console.log(`docs/api: ${pages.length} pages, ${dead.length} dead links`);
process.exit(dead.length > 0 ? 1 : 0);
