import assert from "node:assert/strict";
import { flexibleServerStorageGiB } from "../../components/database/azure.ts";

describe("database on Azure (Flexible Server)", () => {
    it("rounds storage up to the disk sizes Flexible Server accepts", () => {
        const cases: [number, number][] = [[20, 32], [32, 32], [33, 64], [50, 64], [200, 256], [1000, 1024], [16384, 16384]];
        for (const [requested, disk] of cases) {
            assert.equal(flexibleServerStorageGiB(requested), disk, `${requested} GiB`);
        }
        assert.throws(() => flexibleServerStorageGiB(40000), /no Flexible Server disk holds 40000 GiB/);
    });
});
