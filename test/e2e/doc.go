// Package e2e holds chuxin's end-to-end tests: real `chuxin` processes on
// 127.0.0.1 ports, driven only from outside, over Ethereum JSON-RPC, with
// real signals (SIGKILL included) and, where installed, real Ethereum
// clients (ethers.js).
package e2e
