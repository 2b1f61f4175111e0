/**
 * IPv4 address planning for the platform network. Pure: no provider SDK.
 *
 * The subnet layout is frozen once a stack is deployed: changing it would re-address live
 * subnets. A different layout must be added as a new named strategy, never edited in place.
 */

/** A parsed IPv4 CIDR block; `base` is the network address as an unsigned 32-bit integer. */
export interface Ipv4Block {
    readonly base: number;
    readonly prefix: number;
}

/** Smallest and largest VPC/VNet prefix the layout supports (AWS caps VPCs at /16). */
export const networkPrefixRange = { min: 16, max: 20 } as const;

/** The most zones the layout reserves room for; both clouds offer three per region. */
export const maxZones = 3;

/**
 * In-cluster address ranges that never touch the VPC/VNet: the Kubernetes service range
 * on both clouds, and the AKS overlay pod range. The network CIDR must not overlap them.
 */
export const clusterServiceCidr = "172.20.0.0/16";
export const clusterDnsServiceIp = "172.20.0.10";
export const clusterPodCidr = "192.168.0.0/16";

const cidrPattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Why `text` is not a usable IPv4 network CIDR, or undefined when it is one. */
export function cidrProblem(text: string): string | undefined {
    const match = cidrPattern.exec(text);
    if (!match) {
        return `"${text}" is not an IPv4 CIDR such as 10.0.0.0/16`;
    }
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((octet) => octet > 255) || prefix > 32) {
        return `"${text}" is not an IPv4 CIDR such as 10.0.0.0/16`;
    }
    const base = toUint32(octets);
    if ((base & ~maskOf(prefix)) >>> 0 !== 0) {
        return `"${text}" has host bits set; the network address is ${formatBlock({ base: (base & maskOf(prefix)) >>> 0, prefix })}`;
    }
    return undefined;
}

/** Parses an IPv4 network CIDR; throws with the reason when it is not one. */
export function parseCidr(text: string): Ipv4Block {
    const problem = cidrProblem(text);
    if (problem) {
        throw new Error(problem);
    }
    const match = cidrPattern.exec(text)!;
    return { base: toUint32(match.slice(1, 5).map(Number)), prefix: Number(match[5]) };
}

export function formatBlock(block: Ipv4Block): string {
    const octets = [24, 16, 8, 0].map((shift) => (block.base >>> shift) & 255);
    return `${octets.join(".")}/${block.prefix}`;
}

/** The `index`-th block of length `prefix` inside `parent`. */
export function subdivide(parent: Ipv4Block, prefix: number, index: number): Ipv4Block {
    const count = 2 ** (prefix - parent.prefix);
    if (prefix < parent.prefix || prefix > 32 || index < 0 || index >= count) {
        throw new Error(`${formatBlock(parent)} has no /${prefix} block number ${index}`);
    }
    return { base: (parent.base + index * 2 ** (32 - prefix)) >>> 0, prefix };
}

export function overlaps(a: string, b: string): boolean {
    const first = parseCidr(a);
    const second = parseCidr(b);
    const shorter = Math.min(first.prefix, second.prefix);
    const mask = maskOf(shorter);
    return ((first.base & mask) >>> 0) === ((second.base & mask) >>> 0);
}

/** The subnets of one availability zone. */
export interface ZoneSubnets {
    /** Load balancers and NAT gateways. */
    readonly public: string;
    /** Cluster nodes (and pods, with VPC-native pod networking). */
    readonly private: string;
    /** Databases and caches; no route to the internet. */
    readonly database: string;
}

/**
 * Layout "v1". For a network of prefix /p:
 * - the first three /p+2 quarters are the private (node) subnets of zones 0-2;
 * - the last quarter is cut into eight /p+5 slots: public subnets of zones 0-2 in slots
 *   0-2, database subnets in slots 3-5, private endpoints in slot 6, slot 7 spare (Azure
 *   carves its API server subnet from it: see `regionalSubnets`).
 * Every zone's addresses are fixed whether a stack uses one zone or three, so adding a
 * zone later never moves an existing subnet.
 */
export function zoneSubnets(networkCidr: string, zones: number): ZoneSubnets[] {
    const network = parseLayoutNetwork(networkCidr);
    if (!Number.isInteger(zones) || zones < 1 || zones > maxZones) {
        throw new Error(`zones must be between 1 and ${maxZones}, got ${zones}`);
    }
    return Array.from({ length: zones }, (_, zone) => ({
        private: formatBlock(subdivide(network, network.prefix + 2, zone)),
        public: formatBlock(slot(network, zone)),
        database: formatBlock(slot(network, 3 + zone)),
    }));
}

/** Subnets for clouds whose subnets span every zone of a region (Azure). */
export interface RegionalSubnets {
    readonly nodes: string;
    readonly database: string;
    readonly endpoints: string;
    /** The AKS API server's delegated subnet (API Server VNet Integration). */
    readonly apiServer: string;
}

/**
 * Layout "v1" for regional subnets: zone 0's private and database blocks, and slot 6. The
 * API server subnet came later and takes free space only: the first /p+8 of the spare slot 7
 * (a /24 in a /16, a /28 in a /20: AKS's minimum), leaving the rest of slot 7 spare.
 */
export function regionalSubnets(networkCidr: string): RegionalSubnets {
    const network = parseLayoutNetwork(networkCidr);
    return {
        nodes: formatBlock(subdivide(network, network.prefix + 2, 0)),
        database: formatBlock(slot(network, 3)),
        endpoints: formatBlock(slot(network, 6)),
        apiServer: formatBlock(subdivide(slot(network, 7), network.prefix + 8, 0)),
    };
}

function slot(network: Ipv4Block, index: number): Ipv4Block {
    const lastQuarter = subdivide(network, network.prefix + 2, 3);
    return subdivide(lastQuarter, network.prefix + 5, index);
}

function parseLayoutNetwork(networkCidr: string): Ipv4Block {
    const network = parseCidr(networkCidr);
    if (network.prefix < networkPrefixRange.min || network.prefix > networkPrefixRange.max) {
        throw new Error(
            `${networkCidr} must be between /${networkPrefixRange.min} and /${networkPrefixRange.max}`,
        );
    }
    return network;
}

function toUint32(octets: number[]): number {
    return octets.reduce((value, octet) => value * 256 + octet, 0) >>> 0;
}

function maskOf(prefix: number): number {
    return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}
