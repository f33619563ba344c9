// The YAML 1.2 core schema as the `yaml` library applies it: what a plain scalar's text means (null, bool, int,
// float or string), with the number formats the printer needs to write it back the same way.

export const CORE_TAG_PREFIX = 'tag:yaml.org,2002:';

/** A tag as written (`!!int`, `!<tag:...>`, `!local`) to its full name. */
export const expandTag = (tag: string) =>
  tag.startsWith('!!') ? CORE_TAG_PREFIX + tag.slice(2) : tag.startsWith('!<') ? tag.slice(2, -1) : tag;

/** A scalar's value, its Scalar.format ('HEX', 'OCT', 'EXP') and minFractionDigits (trailing zeros to keep). */
export type Resolved = [value: unknown, format?: string, minFractionDigits?: number];

/**
 * The value of a plain scalar's text, trying the core types in the library's order. With `onlyType` (from an
 * explicit `!!int` and the like) only that type is tried, and undefined means the text does not fit it.
 */
export function resolvePlain(text: string, onlyType?: string): Resolved | undefined {
  // Most values (names, images, paths) start with a letter no core type can: skip the patterns for them.
  if (!onlyType && text && !/^[-+.~\dnNtTfF]/.test(text)) return [text];
  const is = (type: string, pattern: RegExp) => (!onlyType || onlyType === type) && pattern.test(text);
  if (is('null', /^(?:~|[Nn]ull|NULL)?$/)) return [null];
  if (is('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/)) return [text[0] === 't' || text[0] === 'T'];
  if (is('int', /^0o[0-7]+$/)) return [parseInt(text.slice(2), 8), 'OCT'];
  if (is('int', /^[-+]?[0-9]+$/)) return [parseInt(text, 10)];
  if (is('int', /^0x[0-9a-fA-F]+$/)) return [parseInt(text.slice(2), 16), 'HEX'];
  if (is('float', /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/))
    return [/nan$/i.test(text) ? NaN : text[0] === '-' ? -Infinity : Infinity];
  if (is('float', /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/)) return [parseFloat(text), 'EXP'];
  if (is('float', /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/)) {
    // `1.50` prints back as `1.50`: the library counts the fraction digits only when the last one is a zero.
    const dot = text.indexOf('.');
    return [parseFloat(text), undefined, text.endsWith('0') ? text.length - dot - 1 : undefined];
  }
  return onlyType === 'str' || !onlyType ? [text] : undefined;
}

/**
 * A scalar's value from its text, its style (plain or not) and its tag (expanded; '' or undefined for none).
 * Only plain scalars are resolved by pattern; `!` forces a string; a core tag (`!!int`) tries only its own type.
 * Undefined when the tag is unknown or the text does not fit it.
 */
export function resolveScalar(source: string, isPlain: boolean, tag: string | undefined): Resolved | undefined {
  if (!tag) return isPlain ? resolvePlain(source) : [source];
  if (tag === '!') return [source];
  const type = tag.startsWith(CORE_TAG_PREFIX) ? tag.slice(CORE_TAG_PREFIX.length) : '';
  return /^(?:str|null|bool|int|float)$/.test(type) ? resolvePlain(source, type) : undefined;
}
