import assert from "node:assert/strict";
import {
    cidrProblem,
    formatBlock,
    overlaps,
    parseCidr,
    regionalSubnets,
    subdivide,
    zoneSubnets,
} from "../../lib/addressing.ts";

describe("network addressing", () => {
    it("parses and formats network CIDRs", () => {
        assert.equal(formatBlock(parseCidr("10.20.0.0/16")), "10.20.0.0/16");
        assert.equal(formatBlock(parseCidr("192.168.16.0/20")), "192.168.16.0/20");
    });

    for (const [text, reason] of [
        ["10.0.0.0", "not an IPv4 CIDR"],
        ["10.0.0.256/16", "not an IPv4 CIDR"],
        ["10.0.0.0/33", "not an IPv4 CIDR"],
        ["ten.0.0.0/16", "not an IPv4 CIDR"],
        ["10.0.1.0/16", "host bits set; the network address is 10.0.0.0/16"],
    ] as const) {
        it(`rejects ${text}`, () => {
            assert.match(cidrProblem(text) ?? "", new RegExp(reason.replace(/[./]/g, "\\$&")));
            assert.throws(() => parseCidr(text));
        });
    }

    it("subdivides a block by index", () => {
        const network = parseCidr("10.0.0.0/16");
        assert.equal(formatBlock(subdivide(network, 18, 0)), "10.0.0.0/18");
        assert.equal(formatBlock(subdivide(network, 18, 3)), "10.0.192.0/18");
        assert.throws(() => subdivide(network, 18, 4), /no \/18 block number 4/);
    });

    it("detects overlapping ranges", () => {
        assert.equal(overlaps("10.0.0.0/16", "10.0.128.0/17"), true);
        assert.equal(overlaps("10.0.0.0/16", "10.1.0.0/16"), false);
        assert.equal(overlaps("172.16.0.0/12", "172.20.0.0/16"), true);
    });

    // Golden layout "v1": a changed value here re-addresses live subnets.
    it("lays out three zones of a /16 as layout v1", () => {
        assert.deepEqual(zoneSubnets("10.30.0.0/16", 3), [
            { private: "10.30.0.0/18", public: "10.30.192.0/21", database: "10.30.216.0/21" },
            { private: "10.30.64.0/18", public: "10.30.200.0/21", database: "10.30.224.0/21" },
            { private: "10.30.128.0/18", public: "10.30.208.0/21", database: "10.30.232.0/21" },
        ]);
        assert.deepEqual(regionalSubnets("10.30.0.0/16"), {
            nodes: "10.30.0.0/18",
            database: "10.30.216.0/21",
            endpoints: "10.30.240.0/21",
            apiServer: "10.30.248.0/24",
        });
    });

    // Added to v1 from free space only: the first /p+8 of the spare slot 7; no earlier subnet moves.
    for (const [network, apiServer, nodes, database, endpoints] of [
        ["10.10.0.0/16", "10.10.248.0/24", "10.10.0.0/18", "10.10.216.0/21", "10.10.240.0/21"],
        ["10.20.0.0/16", "10.20.248.0/24", "10.20.0.0/18", "10.20.216.0/21", "10.20.240.0/21"],
        ["10.0.0.0/17", "10.0.124.0/25", "10.0.0.0/19", "10.0.108.0/22", "10.0.120.0/22"],
        ["10.0.0.0/18", "10.0.62.0/26", "10.0.0.0/20", "10.0.54.0/23", "10.0.60.0/23"],
        ["10.0.0.0/19", "10.0.31.0/27", "10.0.0.0/21", "10.0.27.0/24", "10.0.30.0/24"],
        ["192.168.16.0/20", "192.168.31.128/28", "192.168.16.0/22", "192.168.29.128/25", "192.168.31.0/25"],
    ] as const) {
        it(`puts the AKS API server subnet of ${network} at ${apiServer}, leaving the other subnets where they were`, () => {
            const layout = regionalSubnets(network);
            assert.deepEqual(layout, { nodes, database, endpoints, apiServer });
            // API Server VNet Integration needs at least a /28.
            assert.ok(parseCidr(apiServer).prefix <= 28);
        });
    }

    it("keeps each zone's addresses when zones are added", () => {
        assert.deepEqual(zoneSubnets("10.10.0.0/16", 1)[0], zoneSubnets("10.10.0.0/16", 3)[0]);
        assert.deepEqual(zoneSubnets("10.10.0.0/16", 2)[1], zoneSubnets("10.10.0.0/16", 3)[1]);
    });

    it("never overlaps two subnets, for every supported prefix", () => {
        for (const prefix of [16, 17, 18, 19, 20]) {
            const layout = zoneSubnets(`10.0.0.0/${prefix}`, 3);
            const regional = regionalSubnets(`10.0.0.0/${prefix}`);
            const all = [...layout.flatMap((zone) => [zone.private, zone.public, zone.database]), regional.endpoints, regional.apiServer];
            for (const [index, first] of all.entries()) {
                assert.ok(overlaps(`10.0.0.0/${prefix}`, first), `${first} outside /${prefix}`);
                for (const second of all.slice(index + 1)) {
                    assert.equal(overlaps(first, second), false, `${first} overlaps ${second}`);
                }
            }
        }
    });

    it("refuses networks the layout cannot hold", () => {
        assert.throws(() => zoneSubnets("10.0.0.0/21", 1), /between \/16 and \/20/);
        assert.throws(() => zoneSubnets("10.0.0.0/8", 1), /between \/16 and \/20/);
        assert.throws(() => zoneSubnets("10.0.0.0/16", 4), /zones must be between 1 and 3/);
    });
});
