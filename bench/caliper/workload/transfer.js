'use strict';
// Transfers roundArguments.money between neighbouring accounts of this worker.
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class Transfer extends WorkloadModuleBase {
    constructor() {
        super();
        this.next = 0;
    }

    async submitTransaction() {
        const n = this.roundArguments.accounts;
        const i = this.next++ % n;
        const from = `${this.workerIndex}_${i}`;
        const to = `${this.workerIndex}_${(i + 1) % n}`;
        return this.sutAdapter.sendRequests({ contract: 'simple', verb: 'transfer', args: [from, to, this.roundArguments.money], readOnly: false });
    }
}

module.exports.createWorkloadModule = () => new Transfer();
