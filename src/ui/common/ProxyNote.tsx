/** SPEC §5: formula scores are never shown as human opinion. */
export function ProxyNote() {
  return (
    <span className="proxy-note" title="The demo set's scores come from an MS-SSIM formula. No person rated these images.">
      Proxy scores (formula, not human opinions)
    </span>
  );
}
