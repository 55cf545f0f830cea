import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, InvalidLink } from './app';
import { readConfig } from './config';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const config = readConfig(document, window.location.search);
createRoot(root).render(<StrictMode>{config ? <App config={config} /> : <InvalidLink />}</StrictMode>);
