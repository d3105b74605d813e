// A strict little XML reader for the Open311 tests: it accepts only what a well-formed document
// without attributes, comments or CDATA looks like (the declaration, elements, escaped text),
// and throws on anything else (an unescaped "<" or "&", a tag closed out of order), so that a
// test reading our XML also proves it well-formed. Test code only.
import { ITEM_NAMES } from './open311.format.ts';

export type XmlElement = { name: string; children: XmlElement[]; text: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function decode(text: string): string {
  return text.replace(/&([^;]*);?/g, (whole, entity: string) => {
    if (!whole.endsWith(';')) throw new Error(`Unterminated entity in ${JSON.stringify(text)}`);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (entity in named) return named[entity]!;
    const numeric = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(entity);
    if (numeric) return String.fromCodePoint(numeric[1]!.startsWith('x') ? parseInt(numeric[1]!.slice(1), 16) : Number(numeric[1]));
    throw new Error(`Unknown entity &${entity};`);
  });
}

export function parseXml(document: string): XmlElement {
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(document);
  if (!declaration) throw new Error('Missing or wrong XML declaration');
  let rest = document.slice(declaration[0].length);
  const root: XmlElement = { name: '#document', children: [], text: '' };
  const stack: XmlElement[] = [root];
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const chunk = lt === -1 ? rest : rest.slice(0, lt);
    if (chunk) {
      if (stack.length === 1) {
        if (chunk.trim() !== '') throw new Error(`Text outside the root element: ${JSON.stringify(chunk)}`);
      } else {
        stack[stack.length - 1]!.text += decode(chunk);
      }
    }
    if (lt === -1) break;
    const gt = rest.indexOf('>', lt);
    if (gt === -1) throw new Error('Unclosed tag');
    const tag = rest.slice(lt + 1, gt);
    rest = rest.slice(gt + 1);
    if (tag.startsWith('/')) {
      const name = tag.slice(1);
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
    } else {
      const selfClosing = tag.endsWith('/');
      const name = selfClosing ? tag.slice(0, -1) : tag;
      if (!NAME.test(name)) throw new Error(`Not an element name (or attributes, which we never write): <${tag}>`);
      const element: XmlElement = { name, children: [], text: '' };
      const parent = stack[stack.length - 1]!;
      if (parent === root && root.children.length > 0) throw new Error('Two root elements');
      parent.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]!.name}> is never closed`);
  if (root.children.length !== 1) throw new Error('No root element');
  return root.children[0]!;
}

/**
 * The element read back with the Spark convention (lists by their item names, objects, text), to
 * compare with the JSON answer: the JSON's numbers and booleans are compared as text.
 */
export function xmlToPlain(element: XmlElement): unknown {
  if (element.name in ITEM_NAMES) return element.children.map(xmlToPlain);
  if (element.children.length > 0) return Object.fromEntries(element.children.map((c) => [c.name, xmlToPlain(c)]));
  return element.text;
}

/** JSON as text leaves, as xmlToPlain gives (null and "" both read as an empty element). */
export function jsonAsText(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonAsText);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonAsText(v)]));
  return value === null ? '' : String(value);
}
