export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

export function link(href: string): JsonObject {
  return { href };
}

/** A HAL link with an RFC 6570 template, as Horizon marks `…{?cursor,limit,order}`. */
export function templated(href: string): JsonObject {
  return { href, templated: true };
}
