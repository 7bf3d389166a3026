'use strict';
// Reads this worker's accounts in turn (eth_call).
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class Query extends WorkloadModuleBase {
    constructor() {
        super();
        this.next = 0;
    }

    async submitTransaction() {
        const id = `${this.workerIndex}_${this.next++ % this.roundArguments.accounts}`;
        return this.sutAdapter.sendRequests({ contract: 'simple', verb: 'query', args: [id], readOnly: true });
    }
}

module.exports.createWorkloadModule = () => new Query();
