export function App() {
  return (
    <main>
      <h1>DML-IQA Studio</h1>
      <p>Deep mutual learning for image quality assessment, trained in your browser.</p>
    </main>
  );
}
