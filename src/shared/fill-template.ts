/** Fill `{name}` placeholders of a reviewed text with the values given; an unknown placeholder is left as it is. Pure. */
export function fillTemplate(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (Object.hasOwn(values, key) ? values[key] : undefined) ?? whole);
}
