/** The signature schemes a Hookflow webhook may use (API.md "Other schemes"). */
export const schemeNames = ['uptiq', 'standard-webhooks', 'github', 'stripe', 'slack', 'shopify'] as const;
export type SchemeName = (typeof schemeNames)[number];

export function isSchemeName(name: string): name is SchemeName {
  return (schemeNames as readonly string[]).includes(name);
}
