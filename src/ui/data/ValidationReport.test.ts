/** Score-file text reaches the page only as text: a cell holding HTML shows as those characters, never as markup. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { importDataset } from '../../core/data/importDataset';
import { ValidationReport } from './ValidationReport';

describe('ValidationReport', () => {
  it('shows an HTML-looking cell of the score file as text', () => {
    const evil = '<img src=x onerror=alert(1)>.jpg';
    const imported = importDataset({
      scoreFileName: '<b>mos</b>.csv',
      scoreText: `image,mos\na.jpg,3\n${evil},4\nb.jpg,<script>alert(2)</script>\n`,
      files: ['a.jpg', 'b.jpg'],
    });
    const html = renderToStaticMarkup(createElement(ValidationReport, { summary: imported.summary, problems: imported.problems, images: 2, name: 'x' }));
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.jpg');
    expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;mos&lt;/b&gt;.csv');
    expect(html).not.toMatch(/<img|<script|<b>/i);
  });
});
