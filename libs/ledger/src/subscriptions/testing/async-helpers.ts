/** A promise the test opens when it chooses: holds a handler at a precise point. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

export const quietLogger = { log: (): void => undefined };
