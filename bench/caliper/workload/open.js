'use strict';
// Opens this worker's accounts w_0, w_1, … with roundArguments.money.
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class Open extends WorkloadModuleBase {
    constructor() {
        super();
        this.next = 0;
    }

    async submitTransaction() {
        const id = `${this.workerIndex}_${this.next++}`;
        return this.sutAdapter.sendRequests({ contract: 'simple', verb: 'open', args: [id, this.roundArguments.money], readOnly: false });
    }
}

module.exports.createWorkloadModule = () => new Open();
