// Bundle the modeller with esbuild: node assets/modeller/build.mjs OUTFILE METAFILE [ENTRY]
// ENTRY defaults to the modeller; the case diagram viewer (assets/viewer/index.js) is built
// the same way so that both bundles get the same CSP clean-up.
//
// The page's CSP allows no inline style, so the browser refuses style attributes in HTML
// that a library parses (a console error each). The build takes them out: the properties
// panel's two containers get their rules from modeller.css, and the align and distribute
// icons of bpmn-js get SVG presentation attributes (fill="none"), which the CSP allows.
import fs from 'node:fs';

import * as esbuild from 'esbuild';

const [outfile, metafile, entry = 'assets/modeller/index.js'] = process.argv.slice(2);

const INLINE_STYLES = [
  ['<div style="height: 100%" tabindex="-1"', '<div tabindex="-1"'],
  ['<div style="flex: none; height: auto" class=', '<div class='],
];

const ICONS = /bpmn-js[\\/]lib[\\/]features[\\/](align|distribute)-elements[\\/]\w+Icons\.js$/;

// 'fill:none;stroke-width:100;' -> 'fill="none" stroke-width="100"'
function presentation(style) {
  return style
    .split(';')
    .filter((rule) => rule.trim())
    .map((rule) => {
      const [name, value] = rule.split(':').map((part) => part.trim());
      return `${name}="${value}"`;
    })
    .join(' ');
}

const withoutInlineStyles = {
  name: 'without-inline-styles',
  setup(build) {
    build.onLoad({ filter: ICONS }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      const plain = source.replace(/style="([^"]*)"/g, (_, style) => presentation(style));
      if (plain === source) {
        throw new Error(`${args.path} has no style attributes any more: check the build`);
      }
      return { contents: plain, loader: 'js' };
    });
    build.onLoad({ filter: /bpmn-js-properties-panel[\\/]dist[\\/]index\.esm\.js$/ }, (args) => {
      let source = fs.readFileSync(args.path, 'utf8');
      for (const [styled, plain] of INLINE_STYLES) {
        if (!source.includes(styled)) {
          throw new Error(`${args.path} no longer has ${styled}: check the modeller's CSP`);
        }
        source = source.replace(styled, plain);
      }
      return { contents: source, loader: 'js' };
    });
  },
};

const result = await esbuild.build({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
  outfile,
  plugins: [withoutInlineStyles],
});
fs.writeFileSync(metafile, JSON.stringify(result.metafile));
