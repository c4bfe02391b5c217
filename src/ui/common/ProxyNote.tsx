/** Scores that come from a formula are never shown as human opinion: this note says so beside them. */
export function ProxyNote() {
  return (
    <span className="proxy-note" title="The demo set's scores come from an MS-SSIM formula. No person rated these images.">
      Proxy scores (formula, not human opinions)
    </span>
  );
}
