import type { ReactNode } from 'react';

export const metadata = { title: 'softphone-core in Next.js' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: '1rem' }}>{children}</body>
    </html>
  );
}
