import assert from "node:assert/strict";
import { ec2InstanceType, ec2NodeCatalog } from "../../lib/sizing/aws.ts";
import { vmNodeCatalog, vmSize } from "../../lib/sizing/azure.ts";
import { machineLimits, smallestFit } from "../../lib/sizing/shapes.ts";

describe("sizing maps", () => {
    const cases = [
        // vCPU, GiB, AWS, Azure
        [2, 8, "m7i.large", "Standard_D2s_v5"],
        [4, 16, "m7i.xlarge", "Standard_D4s_v5"],
        [8, 32, "m7i.2xlarge", "Standard_D8s_v5"],
        [2, 4, "c7i.large", "Standard_D2ls_v5"],
        [2, 16, "r7i.large", "Standard_E2s_v5"],
        [3, 8, "c7i.xlarge", "Standard_D4ls_v5"],
        [4, 20, "r7i.xlarge", "Standard_E4s_v5"],
        [64, 512, "r7i.16xlarge", "Standard_E64s_v5"],
    ] as const;
    for (const [vcpu, memoryGiB, awsSku, azureSku] of cases) {
        it(`maps ${vcpu} vCPU / ${memoryGiB} GiB to ${awsSku} and ${azureSku}`, () => {
            assert.equal(ec2InstanceType({ vcpu, memoryGiB }), awsSku);
            assert.equal(vmSize({ vcpu, memoryGiB }), azureSku);
        });
    }

    it("prefers the explicit per-cloud override", () => {
        assert.equal(ec2InstanceType({ vcpu: 2, memoryGiB: 8 }, "m8g.large"), "m8g.large");
        assert.equal(vmSize({ vcpu: 2, memoryGiB: 8 }, "Standard_D2ads_v6"), "Standard_D2ads_v6");
    });

    it("picks the shape with the fewest vCPUs, then the least memory", () => {
        const catalog = [
            { sku: "big", vcpu: 8, memoryGiB: 16 },
            { sku: "wide", vcpu: 4, memoryGiB: 32 },
            { sku: "tight", vcpu: 4, memoryGiB: 16 },
        ];
        assert.equal(smallestFit(catalog, { vcpu: 3, memoryGiB: 10 })?.sku, "tight");
        assert.equal(smallestFit(catalog, { vcpu: 9, memoryGiB: 1 }), undefined);
    });

    it("fits every request inside the config limits on both clouds", () => {
        for (const catalog of [ec2NodeCatalog, vmNodeCatalog]) {
            assert.ok(smallestFit(catalog, { vcpu: machineLimits.vcpu.max, memoryGiB: machineLimits.memoryGiB.max }));
        }
    });

    it("names the request it cannot fit", () => {
        assert.throws(() => ec2InstanceType({ vcpu: 500, memoryGiB: 8 }), /no EC2 .* size has 500 vCPU and 8 GiB/);
        assert.throws(() => vmSize({ vcpu: 2, memoryGiB: 2048 }), /no Azure VM .* size has 2 vCPU and 2048 GiB/);
    });
});
