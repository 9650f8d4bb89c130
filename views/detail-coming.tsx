const COMING = {
  receipts: {
    title: "Your receipts",
    what: () => "Receipts found in your mailbox, and the purchases taken from them, will be listed here for you to review.",
    now: "Scanning is not switched on yet, so no email has been read so far. This page will fill in by itself once it is.",
  },
} as const;

/** A detail view whose data is not read yet: it says plainly what will be here, instead of showing empty charts. */
export function ComingView({ kind }: { kind: keyof typeof COMING }) {
  const copy = COMING[kind];
  return (
    <section class="coming-view" aria-labelledby="coming-title">
      <h2 id="coming-title">{copy.title}</h2>
      <p>{copy.what()}</p>
      <p class="muted">{copy.now}</p>
    </section>
  );
}
