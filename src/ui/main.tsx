import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

// A small inline icon (two overlapping peers), so the browser does not ask the server for /favicon.ico.
const icon = document.createElement('link');
icon.rel = 'icon';
icon.href =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0f141a"/>' +
      '<circle cx="12" cy="16" r="8" fill="#4fa8ff" fill-opacity=".85"/><circle cx="20" cy="16" r="8" fill="#5fd68f" fill-opacity=".85"/></svg>',
  );
document.head.append(icon);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
