/**
 * What a host passes the model of a listed tool: name, title, description, inputSchema and
 * annotations. outputSchema is for the host, which checks results against it; the budgets on
 * tools/list (5,500 tokens default, 9,000 all) count what the model reads.
 */
export function modelVisible<T extends { outputSchema?: unknown }>(
  tool: T,
): Omit<T, "outputSchema"> {
  const { outputSchema: _forTheHost, ...visible } = tool;
  return visible;
}
