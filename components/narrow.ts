/**
 * A cloud's components receive the abstractions (`Network`, `Cluster`, `SecretStore`) but
 * need their own cloud's class, whose extra members (ids, keys, the resource group) the
 * abstraction leaves out. Mixing clouds is a programming error, reported by class name.
 */
export function narrow<Concrete extends object>(candidate: object, kind: abstract new (...args: never[]) => Concrete): Concrete {
    if (!(candidate instanceof kind)) {
        throw new Error(`needs the ${kind.name} this cloud created, got ${candidate.constructor.name}`);
    }
    return candidate;
}
