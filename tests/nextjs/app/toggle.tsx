'use client';
// Mounts and unmounts the phone: unmounting must stop it (un-REGISTER) and free it.
import { useState } from 'react';
import { Phone } from './phone';

export function PhoneToggle() {
  const [mounted, setMounted] = useState(true);
  return (
    <>
      <button type="button" data-testid="toggle" onClick={() => setMounted((m) => !m)}>
        {mounted ? 'Unmount the phone' : 'Mount the phone'}
      </button>
      {mounted && <Phone />}
    </>
  );
}
