/** `urn:pulumi:<stack>::<project>::<parent type>$<type>::<name>` → type and name; empty for a malformed URN. */
export function typeAndName(urn: string): { type: string; name: string } {
    const [, , qualifiedType, ...name] = urn.split("::");
    return qualifiedType === undefined ? { type: "", name: "" } : { type: qualifiedType.split("$").at(-1) ?? "", name: name.join("::") };
}
