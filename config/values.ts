/**
 * Pulumi hands configuration over as text per `<namespace>:<key>` (the runtime and the stack
 * files alike): object values as JSON, scalars plain. Pure.
 */

/** The values of `namespace` (namespace stripped), each decoded as the program decodes it. */
export function namespaceValues(config: Readonly<Record<string, string>>, namespace: string): Record<string, unknown> {
    const prefix = `${namespace}:`;
    return Object.fromEntries(Object.entries(config).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), decode(value)]));
}

export function decode(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}
