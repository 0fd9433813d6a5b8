/** CONNACK return codes of MQTT 3.1.1 (§3.2.2.3), by number. */
const RETURN_CODES: Readonly<Record<number, string>> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

/** The broker refused the CONNECT (a CONNACK with a non-zero return code): fatal, never retried. */
export class MqttConnectRefusedError extends Error {
  override readonly name = 'MqttConnectRefusedError';

  constructor(
    /** The CONNACK return code (1–5 in MQTT 3.1.1). */
    readonly returnCode: number,
  ) {
    super(`MQTT CONNECT refused: ${returnCode} (${RETURN_CODES[returnCode] ?? 'unknown return code'})`);
  }
}
